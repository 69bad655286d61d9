import Foundation
import Logging
import Mail
import Store
import Synchronization
import TestDatabases
import Testing
import Tokens
@testable import Herald

/// A transport that keeps messages in memory and lets a test act at the moment of each send.
final class RecordingTransport: MailTransport, @unchecked Sendable {
    let sent = Mutex<[(to: String, bytes: [UInt8])]>([])
    let onSend: @Sendable (String) -> DeliveryVerdict
    var destination: String { "memory" }
    var parallelism: Int { 1 }

    init(onSend: @escaping @Sendable (String) -> DeliveryVerdict = { _ in .accepted(code: 250, enhancedStatus: "2.0.0", reply: "ok") }) {
        self.onSend = onSend
    }

    func makeSender() throws(HeraldError) -> any MessageSender { Sender(transport: self) }

    var recipients: [String] { sent.withLock { $0.map(\.to) } }

    final class Sender: MessageSender {
        let transport: RecordingTransport
        var lastFailureWasFatal: Bool { false }
        init(transport: RecordingTransport) { self.transport = transport }
        func send(_ message: MessageComposer.Composed, job: Int64, campaign: Int64) -> DeliveryVerdict {
            let verdict = transport.onSend(message.envelopeTo)
            if case .accepted = verdict { transport.sent.withLock { $0.append((message.envelopeTo, message.bytes)) } }
            return verdict
        }
    }
}

enum TestApp {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// An app on an empty store of `backend`: an SQLite file in a folder of its own, or a PostgreSQL database
    /// of its own on the test run's cluster.
    static func make(_ backend: TestBackend = .sqlite) throws -> HeraldApp {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("herald.yaml").path
        let database = try backend.database(in: folder)
        try """
            database: \(database.value)
            templates: \(root.appendingPathComponent("Templates").path)
            sender:
              from: "News <news@example.com>"
              postal_address: "1 Sample Street"
            public_url: https://mail.example.com
            tokens:
              keys:
                - id: t1
                  secret: worker-test-token-secret
            suppression:
              key: worker-test-suppression-key
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try HeraldApp(configuration: ConfigurationLoader.load(path: path, environment: database.environment))
    }
}

@Suite struct OutboxWorkerTests {
    /// Promise 1: an opt-out committed before a message's send begins means that message is never sent.
    @Test(arguments: TestBackend.allCases) func aWithdrawalCommittedBeforeTheSendBeginsIsNeverSent(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        for email in ["a@example.com", "b@example.com", "c@example.com"] {
            try app.consent.register(Registration(email: email, consents: [.promotions], source: "test"))
        }
        _ = try app.campaigns.create(kind: .promotion, template: "promotion", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        let consent = app.consent
        // While a@ is being sent, b@ opts out: the worker is already past the queueing and has b@ leased.
        let transport = RecordingTransport { to in
            if to == "a@example.com" { _ = try? consent.setConsent(email: "b@example.com", purpose: .promotions, granted: false, source: "one-click") }
            return .accepted(code: 250, enhancedStatus: nil, reply: "ok")
        }
        let totals = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["a@example.com", "c@example.com"])
        #expect(totals.sent == 2 && totals.skipped == 1)
        #expect(totals.skipReasons == ["no promotions consent": 1])
    }

    /// Leases with a heartbeat: a worker on another machine that stopped beating loses its jobs once its beat is
    /// `staleAfter` old, not before (it may only be slow), and at once when it said goodbye.
    @Test(arguments: TestBackend.allCases) func aSilentWorkerOnAnotherMachineLosesItsJobsOnceItsHeartbeatIsStale(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        for email in ["a@example.com", "b@example.com"] {
            try app.consent.register(Registration(email: email, consents: [.promotions], source: "test"))
        }
        _ = try app.campaigns.create(kind: .promotion, template: "promotion", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        let now = Date()
        _ = try app.store.startDueCampaigns(now: now) { _ in .send(Audience(purpose: .promotions, anyOfProducts: nil)) }
        // Elsewhere, a worker whose process id means nothing here claimed one job and one beat.
        let elsewhere = "pid:\(Int32.max - 7):1"
        try app.store.heartbeat(owner: elsewhere, host: "another-machine/boot/pid:[1]", now: now)
        #expect(try app.store.claimJobs(now: now, limit: 1, leaseUntil: now.addingTimeInterval(600), owner: elsewhere).count == 1)
        let worker = try app.worker(transport: RecordingTransport())
        try worker.takeBackAbandoned(now: now.addingTimeInterval(20), logger: Logger(label: "test"))
        #expect(try app.store.outboxDepth()[.sending] == 1, "20 s without a beat is not yet dead")
        try worker.takeBackAbandoned(now: now.addingTimeInterval(31), logger: Logger(label: "test"))
        #expect(try app.store.outboxDepth()[.sending] == nil && app.store.outboxDepth()[.queued] == 2, "31 s: taken back")

        // Another one said goodbye: its lease goes at once.
        let polite = "pid:\(Int32.max - 8):2"
        try app.store.heartbeat(owner: polite, host: "another-machine/boot/pid:[1]", now: now)
        #expect(try app.store.claimJobs(now: now, limit: 1, leaseUntil: now.addingTimeInterval(600), owner: polite).count == 1)
        try app.store.signOff(owner: polite, now: now)
        try worker.takeBackAbandoned(now: now.addingTimeInterval(1), logger: Logger(label: "test"))
        #expect(try app.store.outboxDepth()[.sending] == nil)
    }

    @Test(arguments: TestBackend.allCases) func suppressionAtTheLastMomentSkipsToo(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        for email in ["a@example.com", "b@example.com"] {
            try app.consent.register(Registration(email: email, consents: [.productNews], source: "test"))
        }
        _ = try app.campaigns.create(kind: .productNews, template: "product-news", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        let consent = app.consent
        let transport = RecordingTransport { to in
            if to == "a@example.com" { _ = try? consent.suppress(email: "B@example.com", reason: .complaint) }
            return .accepted(code: 250, enhancedStatus: nil, reply: "ok")
        }
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["a@example.com"])
    }

    @Test(arguments: TestBackend.allCases) func policyNoticesGoToEveryoneStoredExceptSuppressed(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "consenting@example.com", consents: [.promotions], source: "test"))
        try app.consent.register(Registration(email: "opted-out@example.com", source: "test"))
        try app.consent.register(Registration(email: "bounced@example.com", consents: [.promotions], source: "test"))
        try app.consent.register(Registration(email: "unsubscribed@example.com", consents: [.promotions], source: "test"))
        try app.consent.suppress(email: "unsubscribed@example.com", reason: .unsubscribedAll)
        try app.consent.suppress(email: "bounced@example.com", reason: .bounced)
        try app.consent.register(Registration(email: "complained@example.com", source: "test"))
        try app.consent.suppress(email: "complained@example.com", reason: .complaint)
        try app.consent.register(Registration(email: "erased@example.com", source: "test"))
        try app.personData.erase(email: "erased@example.com")
        _ = try PolicyTests.publish(app, version: "v1", material: false, notify: true)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients.sorted() == ["consenting@example.com", "opted-out@example.com", "unsubscribed@example.com"])
        let message = String(decoding: transport.sent.withLock { $0[0].bytes }, as: UTF8.self)
        #expect(!message.contains("List-Unsubscribe:"), "a legal notice offers no unsubscribe")
    }

    @Test(arguments: TestBackend.allCases) func theUnsubscribeLinkIsSignedForThatPersonAndPurposeAndHidesTheAddress(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        let id = try app.consent.register(Registration(email: "ada@example.com", consents: [.productNews], source: "test")).recipient.id!
        let campaign = try app.campaigns.create(kind: .productNews, template: "product-news", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        let message = String(decoding: transport.sent.withLock { $0[0].bytes }, as: UTF8.self)
        let header = try #require(message.components(separatedBy: "\r\n").first { $0.hasPrefix("List-Unsubscribe: ") })
        let token = String(header.dropFirst("List-Unsubscribe: <https://mail.example.com/u/".count).dropLast())
        let claims = try app.tokens.verify(token, expecting: .unsubscribe)
        // The purpose, and the campaign whose report counts the unsubscribes its links bring.
        #expect(claims.recipientID == id && claims.scope == "product-news:\(campaign.id)", "\(claims.scope)")
        #expect(!token.contains("ada"))
        #expect(message.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
    }

    @Test(arguments: TestBackend.allCases) func aScheduledCampaignWaitsUntilItIsDue(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "ada@example.com", consents: [.productNews], source: "test"))
        let later = try app.campaigns.create(kind: .productNews, template: "product-news", catalog: try app.catalog(), segment: nil,
                                             at: Date().addingTimeInterval(3600), name: nil)
        let transport = RecordingTransport()
        let totals = try app.worker(transport: transport).run(untilIdle: true)
        #expect(totals.campaignsStarted == 0 && transport.recipients.isEmpty)
        #expect(try app.campaigns.report(id: later.id).status == .scheduled)
    }
}

struct RegistrationRulesTests {
    let today = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15

    @Test func thirteenthBirthdayIsTheLine() throws {
        #expect(try RegistrationRules.birthYear("2014-01-15", today: today) == 2014)
        #expect(throws: HeraldError.self) { try RegistrationRules.birthYear("2014-01-16", today: today) }
    }

    @Test func impossibleOrMalformedDatesAreBadData() {
        for bad in ["2001-13-01", "2001-02-29", "01-01-2001", "2001/01/01", "20010101", "", "1850-01-01", "2030-01-01"] {
            #expect(throws: HeraldError.self, "\(bad)") { try RegistrationRules.birthYear(bad, today: today) }
        }
    }

    @Test func aLeapDayBirthdayCountsFromTheFirstOfMarch() throws {
        let birth = CivilDate(year: 2012, month: 2, day: 29)!
        #expect(birth.years(until: CivilDate(year: 2025, month: 2, day: 28)!) == 12)
        #expect(birth.years(until: CivilDate(year: 2025, month: 3, day: 1)!) == 13)
        #expect(try RegistrationRules.birthYear("2012-02-29", today: CivilDate(year: 2025, month: 3, day: 1)!) == 2012)
        #expect(throws: HeraldError.self) { try RegistrationRules.birthYear("2012-02-29", today: CivilDate(year: 2025, month: 2, day: 28)!) }
    }

    @Test func segmentsParseStrictly() throws {
        #expect(try Segment.parse("product:minilogue, product:Kronos").products == ["minilogue", "kronos"])
        for bad in ["", "minilogue", "product:", "color:red", "product:a b", "product:minilogue,"] {
            #expect(throws: HeraldError.self, "\(bad)") { try Segment.parse(bad) }
        }
    }
}
