import Foundation
import Store
import TestDatabases
import Testing
import Tokens
@testable import Herald

/// Double opt-in against the outbox: a waiting registration stores no person and reaches nobody but its own
/// confirmation mail; the link grants only what it named, and only its own submission's data; hard
/// suppressions stop even that mail; the public form's limits.
@Suite struct DoubleOptInTests {
    /// The confirmation token in the last message to `address` (its quoted-printable soft breaks undone).
    static func confirmToken(_ transport: RecordingTransport, to address: String) -> String? {
        confirmTokens(transport, to: address).last
    }

    /// The confirmation tokens of every message to `address`, oldest first.
    static func confirmTokens(_ transport: RecordingTransport, to address: String) -> [String] {
        transport.sent.withLock { $0.filter { $0.to == address }.map(\.bytes) }.compactMap { bytes in
            let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "")
            guard let start = text.range(of: "/confirm/") else { return nil }
            return String(text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
    }

    @Test(arguments: TestBackend.allCases) func aWaitingRegistrationIsInNoAudienceNotEvenAPolicyNotice(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "member@example.com", consents: [.productNews], source: "test"))
        #expect(try app.doubleOptIn.request(Registration(email: "stranger@example.com", consents: [.productNews], source: "form"), challenged: true) == .queued)
        #expect(throws: HeraldError.self, "no person is stored for a waiting registration") { try app.consent.existingRecipient("stranger@example.com") }
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["stranger@example.com"], "only the confirmation mail")
        _ = try PolicyTests.publish(app, version: "v1", notify: true)
        _ = try app.campaigns.create(kind: .productNews, template: "product-news", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["stranger@example.com", "member@example.com", "member@example.com"], "\(transport.recipients)")
    }

    /// Each submission is its own request with its own mail and link: a second one for the same address, with
    /// another name and more purposes, changes nothing that the first one's link applies.
    @Test(arguments: TestBackend.allCases) func theLinkGrantsOnlyWhatItNamedAndOnlyItsOwnSubmissionOnce(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        #expect(try app.doubleOptIn.request(Registration(email: "ada@example.com", name: "Ada", products: ["kronos"], consents: [.productNews],
                                                         source: "form"), challenged: true) == .queued)
        #expect(try app.doubleOptIn.request(Registration(email: "ada@example.com", name: "Mallory", products: ["prank"],
                                                         consents: [.productNews, .promotions], source: "form"), challenged: true) == .queued)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        let tokens = Self.confirmTokens(transport, to: "ada@example.com")
        #expect(tokens.count == 2)
        let token = try #require(tokens.first)
        #expect(try app.doubleOptIn.pending(token: token) == [.productNews])
        #expect(try app.doubleOptIn.confirm(token: token, notice: { _ in "test notice" }) == [.productNews])
        let ada = try app.consent.existingRecipient("ada@example.com")
        #expect(ada.name == "Ada")
        #expect(try app.store.products(ofRecipient: ada.id!) == ["kronos"])
        #expect(try app.store.consents(ofRecipient: ada.id!).map(\.purpose) == [.productNews])
        #expect(throws: HeraldError.self) { try app.doubleOptIn.confirm(token: token, notice: { _ in "test notice" }) }
    }

    @Test(arguments: TestBackend.allCases) func aConfirmationMailWithNothingLeftToConfirmIsNotSent(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        #expect(try app.doubleOptIn.request(Registration(email: "ada@example.com", consents: [.productNews], source: "form"), challenged: true) == .queued)
        // The store's first request has id 1 (ids are never given twice, so no other request can ever have it).
        let link = SignedLinks(tokens: app.tokens, publicURL: "").confirmURL(requestID: 1, purposes: [.productNews], now: app.clock())
        _ = try app.doubleOptIn.confirm(token: String(link.dropFirst("/confirm/".count)), notice: { _ in "test notice" })  // before the mail even went
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients.isEmpty)
    }

    /// A confirm token from before registration requests named a person's id: it is never taken for a request's.
    @Test func aConfirmTokenThatNamesNoRequestIsExpired() throws {
        let app = try TestApp.make()
        #expect(try app.doubleOptIn.request(Registration(email: "ada@example.com", consents: [.productNews], source: "form"), challenged: true) == .queued)
        let old = app.tokens.issue(TokenClaims(action: .confirm, recipientID: 1, scope: "product-news", issuedAt: app.clock()))
        #expect { try app.doubleOptIn.pending(token: old) } throws: { ($0 as? HeraldError)?.kind == .notFound }
        #expect { try app.doubleOptIn.confirm(token: old, notice: { _ in "" }) } throws: { ($0 as? HeraldError)?.kind == .notFound }
        let preferences = app.tokens.issue(TokenClaims(action: .preferences, recipientID: 1, scope: "", issuedAt: app.clock()))
        #expect(throws: HeraldError.self, "another action's token") { try app.doubleOptIn.pending(token: preferences) }
    }

    /// A bounce, a complaint or an operator's suppression after an erasure is not forgotten: no confirmation
    /// mail goes to that address any more, however often someone registers it.
    @Test(arguments: TestBackend.allCases) func aHardSuppressionAfterAnErasureStopsConfirmationMails(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "gone@example.com", consents: [.productNews], source: "test"))
        try app.personData.erase(email: "gone@example.com")
        #expect(try app.consent.suppress(email: "gone@example.com", reason: .bounced), "the harder reason replaces the erasure's")
        #expect(try app.personData.export(email: "gone@example.com").suppression?.reason == .bounced)
        #expect(try app.doubleOptIn.request(Registration(email: "gone@example.com", consents: [.productNews], source: "form"), challenged: true) == .suppressed)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients.isEmpty)
    }

    /// An erasure after an unsubscribe-from-everything is still an erasure: no operator's consent undoes it.
    @Test(arguments: TestBackend.allCases) func anErasureAfterAnUnsubscribeFromEverythingStaysAnErasure(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "ada@example.com", consents: [.productNews], source: "test"))
        _ = try app.consent.suppress(email: "ada@example.com", reason: .unsubscribedAll)
        try app.personData.erase(email: "ada@example.com")
        #expect(try app.personData.export(email: "ada@example.com").suppression?.reason == .erased)
        #expect(throws: HeraldError.self) { try app.consent.register(Registration(email: "ada@example.com", consents: [.productNews], source: "admin")) }
    }

    /// Subaddresses and Gmail's dotted spellings are one mailbox: three mails an hour to it (the default), however
    /// spelled; an operator's invitation is not limited.
    @Test(arguments: TestBackend.allCases) func aMailboxGetsThreeConfirmationsAnHourHoweverSpelled(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        let spellings = (1...10).map { "victim+\($0)@example.com" } + ["v.i.c.t.i.m@gmail.com", "victim@googlemail.com", "Vic.Tim+x@gmail.com", "victim@gmail.com"]
        var answers: [DoubleOptIn.Answer] = []
        for address in spellings {
            answers.append(try app.doubleOptIn.request(Registration(email: address, consents: [.promotions], source: "form"), challenged: true))
        }
        #expect(answers.prefix(10) == [.queued, .queued, .queued] + Array(repeating: .limited(.mailbox), count: 7))
        #expect(answers.suffix(4) == [.queued, .queued, .queued, .limited(.mailbox)])
        #expect(try app.doubleOptIn.invite(Registration(email: "victim@example.com", consents: [.promotions], source: "invite")) == .queued)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients.count == 7)
    }
}
