import Foundation
import Store
import TestDatabases
import Testing
@testable import Herald

/// Console accounts: scrypt hashes, sign-in, sessions, throttling.
@Suite struct StaffServiceTests {
    @Test func aPasswordVerifiesOnlyItself() throws {
        let hasher = PasswordHasher()
        let stored = try hasher.hash("correct horse battery staple")
        #expect(stored.hasPrefix("scrypt$15$8$1$") && !stored.contains("correct"))
        #expect(hasher.verify("correct horse battery staple", against: stored))
        #expect(!hasher.verify("correct horse battery stapl", against: stored))
        #expect(!hasher.verify("correct horse battery staple", against: "plain"))
        #expect(try hasher.hash("same") != hasher.hash("same"), "salted")
    }

    @Test(arguments: TestBackend.allCases) func signingInMakesASessionThatSignsOut(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        #expect(try app.staff.add(email: "Ada@Staff.example", role: .admin, password: "correct horse battery staple").email == "ada@staff.example")
        guard case .signedIn(let token, let account, _) = try app.staff.signIn(email: "ada@staff.example", password: "correct horse battery staple") else {
            Issue.record("refused")
            return
        }
        #expect(account.email == "ada@staff.example")
        #expect(try app.staff.account(session: token)?.role == .admin)
        try app.staff.signOut(session: token)
        #expect(try app.staff.account(session: token) == nil)
        guard case .refused = try app.staff.signIn(email: "ada@staff.example", password: "wrong") else { Issue.record("a wrong password signed in"); return }
    }

    /// A session ends when unused for the idle lifetime or at its absolute end, whichever comes first; using it
    /// restarts the idle time, with at most one write per `touchEvery`.
    @Test(arguments: TestBackend.allCases) func sessionsEndWhenIdleOrTooOld(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let staff = StaffService(store: app.store, clock: { clock.now }, lifetimes: .init(idle: 1800, absolute: 12 * 3600, touchEvery: 60))
        _ = try staff.add(email: "ada@staff.example", role: .admin, password: "correct horse battery staple")
        guard case .signedIn(let idle, _, _) = try staff.signIn(email: "ada@staff.example", password: "correct horse battery staple"),
              case .signedIn(let busy, _, let expires) = try staff.signIn(email: "ada@staff.example", password: "correct horse battery staple") else {
            Issue.record("refused")
            return
        }
        #expect(expires == clock.now.addingTimeInterval(12 * 3600))
        clock.advance(25 * 60)
        #expect(try staff.account(session: busy) != nil)
        clock.advance(10 * 60)  // 35 minutes after sign-in, 10 after the last use
        #expect(try staff.account(session: idle) == nil, "unused for 35 minutes")
        #expect(try staff.account(session: busy) != nil, "used 10 minutes ago")
        for _ in 0..<((12 * 60 - 35) / 20) {
            clock.advance(20 * 60)
            #expect(try staff.account(session: busy) != nil)
        }
        clock.advance(20 * 60)  // past 12 hours, however busy
        #expect(try staff.account(session: busy) == nil)
    }

    @Test(arguments: TestBackend.allCases) func signInsFailuresAndSignOutsAreAuditedWithoutWhatWasTyped(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        _ = try app.staff.add(email: "ada@staff.example", role: .admin, password: "correct horse battery staple")
        let typed = "attacker-" + String(repeating: "x", count: 300) + "@example.com"
        guard case .refused = try app.staff.signIn(email: typed, password: "guess guess guess"),
              case .refused = try app.staff.signIn(email: "ADA@staff.example", password: "guess guess guess"),
              case .signedIn(let token, _, _) = try app.staff.signIn(email: "ada@staff.example", password: "correct horse battery staple") else {
            Issue.record("unexpected sign-in result")
            return
        }
        try app.staff.signOut(session: token)
        let log = try app.staff.auditLog().reversed().map { "\($0.staffEmail) \($0.action)" }
        #expect(log == ["unknown account sign-in.failed", "ada@staff.example sign-in.failed", "ada@staff.example sign-in", "ada@staff.example sign-out"])
        #expect(try !app.staff.auditLog().contains { $0.staffEmail.contains("attacker") || $0.subject.contains("attacker") })
    }

    /// The audit log is append-only: failures an attacker sends past the per-client throttle (from many addresses)
    /// write at most `failureAuditsPerHour` lines per account, and as many for all unknown addresses together.
    @Test func failedSignInsWriteABoundedNumberOfAuditLines() throws {
        let app = try TestApp.make(.sqlite)
        // A budget of 3 an hour, so that the test makes few 32 MiB password checks; the app's own is 20.
        let staff = StaffService(store: app.store, clock: app.clock, failureAudits: FailureAuditBudget(perHour: 3))
        _ = try staff.add(email: "ada@staff.example", role: .admin, password: "correct horse battery staple")
        for index in 0..<5 {
            _ = try staff.signIn(email: "ada@staff.example", password: "guess guess guess")
            _ = try staff.signIn(email: "nobody\(index)@example.com", password: "guess guess guess")
        }
        let failures = try staff.auditLog(limit: 1000).filter { $0.action == "sign-in.failed" }
        #expect(failures.filter { $0.staffEmail == "ada@staff.example" }.count == 3)
        #expect(failures.filter { $0.staffEmail == StaffService.unknownAccount }.count == 3)
        let budget = FailureAuditBudget(perHour: 2)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(budget.admit("a", now: now) && budget.admit("a", now: now) && !budget.admit("a", now: now.addingTimeInterval(3599)))
        #expect(budget.admit("a", now: now.addingTimeInterval(3600)), "a new hour, a new budget")
    }

    @Test func aPasswordChangeNeedsTheCurrentOneAndKeepsThisSessionOnly() throws {
        let app = try TestApp.make(.sqlite)
        let ada = try app.staff.add(email: "ada@staff.example", role: .admin, password: "correct horse battery staple")
        guard case .signedIn(let here, _, _) = try app.staff.signIn(email: "ada@staff.example", password: "correct horse battery staple"),
              case .signedIn(let elsewhere, _, _) = try app.staff.signIn(email: "ada@staff.example", password: "correct horse battery staple") else {
            Issue.record("refused")
            return
        }
        #expect(try app.staff.changePassword(ada, session: here, current: "wrong wrong wrong", new: "a new long passphrase") == .wrongCurrentPassword)
        #expect(throws: HeraldError.self) { try app.staff.changePassword(ada, session: here, current: "correct horse battery staple", new: "short") }
        #expect(try app.staff.account(session: elsewhere) != nil, "nothing changed yet")
        #expect(try app.staff.changePassword(ada, session: here, current: "correct horse battery staple", new: "a new long passphrase") == .changed)
        #expect(try app.staff.account(session: here) != nil)
        #expect(try app.staff.account(session: elsewhere) == nil)
        guard case .refused = try app.staff.signIn(email: "ada@staff.example", password: "correct horse battery staple") else { Issue.record("the old password still works"); return }
        guard case .signedIn = try app.staff.signIn(email: "ada@staff.example", password: "a new long passphrase") else { Issue.record("the new password does not work"); return }
        #expect(try app.staff.auditLog().contains { $0.action == "password.change" })
    }

    @Test func anAccountCannotRemoveItselfButAnotherCan() throws {
        let app = try TestApp.make(.sqlite)
        let ada = try app.staff.add(email: "ada@staff.example", role: .admin, password: "correct horse battery staple")
        let bob = try app.staff.add(email: "bob@staff.example", role: .admin, password: "correct horse battery staple")
        #expect(throws: HeraldError.self) { try app.staff.remove(email: "ADA@staff.example", by: ada) }
        #expect(try app.staff.accounts().count == 2, "nothing was removed")
        try app.staff.remove(email: "ada@staff.example", by: bob)
        #expect(try app.staff.accounts().map(\.email) == ["bob@staff.example"])
        try app.staff.remove(email: "bob@staff.example")  // the command line names no one asking
        #expect(try app.staff.accounts().isEmpty)
    }
}

/// A clock a test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}
