import Foundation
import Store
import TestDatabases
import Testing
@testable import Herald

/// Double opt-in against the outbox: a waiting registration grants nothing and reaches nobody but its own
/// confirmation mail; the link grants only what it named; hard suppressions stop even that mail.
@Suite struct DoubleOptInTests {
    /// The confirmation token in the last message to `address` (its quoted-printable soft breaks undone).
    static func confirmToken(_ transport: RecordingTransport, to address: String) -> String? {
        guard let bytes = transport.sent.withLock({ $0.last { $0.to == address }?.bytes }) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "")
        guard let start = text.range(of: "/confirm/") else { return nil }
        return String(text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test(arguments: TestBackend.allCases) func aWaitingRegistrationIsInNoAudienceNotEvenAPolicyNotice(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "member@example.com", consents: [.productNews], source: "test"))
        #expect(try app.doubleOptIn.request(Registration(email: "stranger@example.com", consents: [.productNews], source: "form")))
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["stranger@example.com"], "only the confirmation mail")
        _ = try PolicyTests.publish(app, version: "v1", notify: true)
        _ = try app.campaigns.create(kind: .productNews, template: "product-news", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["stranger@example.com", "member@example.com", "member@example.com"], "\(transport.recipients)")
    }

    @Test(arguments: TestBackend.allCases) func theLinkGrantsOnlyWhatItNamedAndOnlyOnce(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        #expect(try app.doubleOptIn.request(Registration(email: "ada@example.com", consents: [.productNews], source: "form")))
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        let token = try #require(Self.confirmToken(transport, to: "ada@example.com"))
        // Someone else asks for promotions for the same address within the hour: no new mail, and the link Ada
        // holds does not grant it.
        #expect(try !app.doubleOptIn.request(Registration(email: "ada@example.com", consents: [.promotions], source: "form")))
        #expect(try app.doubleOptIn.pending(token: token) == [.productNews])
        #expect(try app.doubleOptIn.confirm(token: token, notice: { _ in "test notice" }) == [.productNews])
        let id = try app.consent.existingRecipient("ada@example.com").id!
        #expect(try app.store.consents(ofRecipient: id).map(\.purpose) == [.productNews])
        #expect(throws: HeraldError.self) { try app.doubleOptIn.confirm(token: token, notice: { _ in "test notice" }) }
    }

    @Test(arguments: TestBackend.allCases) func aConfirmationMailWithNothingLeftToConfirmIsNotSent(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        #expect(try app.doubleOptIn.request(Registration(email: "ada@example.com", consents: [.productNews], source: "form")))
        let id = try app.consent.existingRecipient("ada@example.com").id!
        let link = SignedLinks(tokens: app.tokens, publicURL: "").confirmURL(recipientID: id, purposes: [.productNews], now: app.clock())
        _ = try app.doubleOptIn.confirm(token: String(link.dropFirst("/confirm/".count)), notice: { _ in "test notice" })  // before the mail even went
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients.isEmpty)
    }

    /// A bounce, a complaint or an operator's suppression after an erasure is not forgotten: no confirmation
    /// mail goes to that address any more, however often someone registers it.
    @Test(arguments: TestBackend.allCases) func aHardSuppressionAfterAnErasureStopsConfirmationMails(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "gone@example.com", consents: [.productNews], source: "test"))
        try app.personData.erase(email: "gone@example.com")
        #expect(try app.consent.suppress(email: "gone@example.com", reason: .bounced), "the harder reason replaces the erasure's")
        #expect(try app.personData.export(email: "gone@example.com").suppression?.reason == .bounced)
        #expect(try !app.doubleOptIn.request(Registration(email: "gone@example.com", consents: [.productNews], source: "form")))
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
}
