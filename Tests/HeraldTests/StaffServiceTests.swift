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
