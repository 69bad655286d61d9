import Foundation
@testable import Herald
import Rendering
import Store
import TestDatabases
import Testing

/// Policy versions and their notices (promise: a materially different use is announced and chosen, never assumed).
@Suite struct PolicyTests {
    /// Publishes a version with a summary file of its own; `effective` nil is far enough ahead for any change.
    static func publish(_ app: HeraldApp, version: String, material: Bool = false, notify: Bool = false, addsPurpose: Purpose? = nil,
                        summary: String = "What changes, in plain words.", effective: Date? = Date().addingTimeInterval(40 * 86_400),
                        force: Bool = false) throws -> PolicyPublication {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("summary-\(UUID().uuidString).txt")
        try summary.write(to: file, atomically: true, encoding: .utf8)
        return try app.publishPolicy(.init(version: version, summaryFile: file.path, material: material, effective: effective, notify: notify,
                                           addsPurpose: addsPurpose, force: force))
    }

    @Test(arguments: TestBackend.allCases) func aVersionIsRecordedAndEveryLaterConsentCarriesIt(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "before@example.com", consents: [.productNews], source: "import:crm"))
        let published = try Self.publish(app, version: "2026-12")
        #expect(published.versionCreated && published.notice == nil, "not material and no --notify: no mail")
        try app.consent.register(Registration(email: "after@example.com", consents: [.productNews], source: "import:crm"))
        let before = try app.personData.export(email: "before@example.com").consentLedger
        let after = try app.personData.export(email: "after@example.com").consentLedger
        #expect(before.map(\.policyVersion) == [nil])
        #expect(after.map(\.policyVersion) == ["2026-12"])
        #expect(after.first?.noticeHash == ConsentNotice.hash("import:crm"), "an import's notice is its source")
        #expect(try app.policy.current()?.textHash == ConsentNotice.hash("What changes, in plain words."))
    }

    @Test(arguments: TestBackend.allCases) func publishingTheSameVersionTwiceMailsNobodyTwice(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "ada@example.com", source: "test"))
        let first = try Self.publish(app, version: "v2", material: true, effective: Date(timeIntervalSince1970: 1_900_000_000))
        let again = try Self.publish(app, version: "v2", material: true, effective: Date(timeIntervalSince1970: 1_900_000_000))
        #expect(first.noticeCreated && !again.versionCreated && !again.noticeCreated)
        #expect(again.notice?.id == first.notice?.id)
        #expect(throws: HeraldError.self, "the same name with another text is refused") {
            try Self.publish(app, version: "v2", material: true, summary: "Something else", effective: Date(timeIntervalSince1970: 1_900_000_000))
        }
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        _ = try Self.publish(app, version: "v2", material: true, effective: Date(timeIntervalSince1970: 1_900_000_000))
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["ada@example.com"])
        #expect(throws: HeraldError.self, "nor can an operator make a second notice") {
            try app.campaigns.create(kind: .policyChange, template: "policy-change", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        }
    }

    @Test(arguments: TestBackend.allCases) func aMaterialChangeNeedsItsNoticePeriodUnlessForced(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        do {
            _ = try Self.publish(app, version: "soon", material: true, effective: Date().addingTimeInterval(10 * 86_400))
            Issue.record("a material change ten days out was published")
        } catch let error as HeraldError {
            #expect(error.message.contains("30 days ahead (policy.notice_days)"))
        }
        #expect(try app.policy.history().isEmpty, "a refused publication writes nothing")
        #expect(try app.store.campaigns().isEmpty)
        _ = try Self.publish(app, version: "soon", material: true, effective: Date().addingTimeInterval(10 * 86_400), force: true)
        _ = try Self.publish(app, version: "later", material: true, effective: Date().addingTimeInterval(30 * 86_400))
        #expect(throws: HeraldError.self, "a new purpose is a material change") { try Self.publish(app, version: "p", addsPurpose: .promotions) }
        #expect(throws: HeraldError.self) { try Self.publish(app, version: "bad name!") }
    }

    /// A purpose the version adds reaches only those who accepted it; a decline is recorded and changes nothing else.
    @Test(arguments: TestBackend.allCases) func anAddedPurposeReachesOnlyThoseWhoAccepted(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        for email in ["accepts@example.com", "declines@example.com", "silent@example.com"] {
            try app.consent.register(Registration(email: email, consents: [.productNews, .promotions], source: "test"))
        }
        let published = try Self.publish(app, version: "v3", material: true, addsPurpose: .promotions)
        #expect(published.withdrawnGrants == 3)
        let notices = RecordingTransport()
        _ = try app.worker(transport: notices).run(untilIdle: true)
        #expect(notices.recipients.sorted() == ["accepts@example.com", "declines@example.com", "silent@example.com"])
        let links = try notices.sent.withLock { sent in
            try sent.map { message -> (String, String) in
                let text = String(decoding: message.bytes, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "")
                let match = try #require(text.firstMatch(of: /https:\/\/mail\.example\.com\/policy\/([A-Za-z0-9_-]+)/))
                return (message.to, String(match.output.1))
            }
        }
        for (email, token) in links {
            if email == "accepts@example.com" { _ = try app.policy.choose(token: token, accept: true) }
            if email == "declines@example.com" { _ = try app.policy.choose(token: token, accept: false) }
        }
        #expect(try app.policy.choice(token: links.first { $0.0 == "accepts@example.com" }!.1).accepted == true)
        _ = try app.campaigns.create(kind: .promotion, template: "promotion", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        let promotions = RecordingTransport()
        _ = try app.worker(transport: promotions).run(untilIdle: true)
        #expect(promotions.recipients == ["accepts@example.com"])
        let declined = try app.personData.export(email: "declines@example.com").consentLedger.last
        #expect(declined?.action == .decline && declined?.policyVersion == "v3" && declined?.purpose == .promotions)
        let accepted = try app.personData.export(email: "accepts@example.com").consentLedger.last
        #expect(accepted?.action == .accept && accepted?.noticeHash != nil)
    }

    @Test(arguments: TestBackend.allCases) func aChoiceLinkIsBoundToItsPersonAndVersion(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        let id = try app.consent.register(Registration(email: "ada@example.com", source: "test")).recipient.id!
        _ = try Self.publish(app, version: "v4", material: true)
        let link = SignedLinks(tokens: app.tokens, publicURL: "https://mail.example.com").policyChoiceURL(recipientID: id, version: "v9", now: Date())
        #expect(throws: HeraldError.self, "a version never published") {
            try app.policy.choice(token: String(link.split(separator: "/").last!))
        }
        let good = SignedLinks(tokens: app.tokens, publicURL: "https://mail.example.com").policyChoiceURL(recipientID: id, version: "v4", now: Date())
        let token = String(good.split(separator: "/").last!)
        var tampered = Array(token)
        tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
        #expect(throws: HeraldError.self) { try app.policy.choose(token: String(tampered), accept: true) }
        #expect(try app.personData.export(email: "ada@example.com").consentLedger.isEmpty, "nothing recorded by a bad token")
        _ = try app.policy.choose(token: token, accept: true)
        _ = try app.policy.choose(token: token, accept: true)
        #expect(try app.personData.export(email: "ada@example.com").consentLedger.map(\.action) == [.accept], "choosing again records nothing")
    }

    /// A notice is rehearsed before anything is written: a template error refuses the whole publication.
    @Test func aBrokenNoticeTemplateRefusesThePublication() throws {
        let app = try TemplateFixtures.app(breaking: "policy-change/text.mustache", with: "Hello {{recipient.frist_name}}\n{{preferences_url}}\n")
        try app.consent.register(Registration(email: "ada@example.com", source: "test"))
        do {
            _ = try Self.publish(app, version: "v1", notify: true)
            Issue.record("published with a broken template")
        } catch let error as HeraldError {
            #expect(error.message.contains("policy-change/text.mustache:1: {{recipient.frist_name}} has no value"))
        }
        #expect(try app.policy.history().isEmpty)
    }
}

@Suite struct PolicyConsentTests {
    /// The person's own confirmation records the version in force and the hash of the page's words.
    @Test(arguments: TestBackend.allCases) func aConfirmationRecordsTheVersionAndTheNoticeItShowed(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        _ = try PolicyTests.publish(app, version: "2026-12")
        #expect(try app.doubleOptIn.request(Registration(email: "ada@example.com", consents: [.productNews], source: "form"), challenged: true) == .queued)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        let token = try #require(DoubleOptInTests.confirmToken(transport, to: "ada@example.com"))
        let words = ConsentNotice.confirmation(company: app.companyName, purposes: [.productNews], policy: try app.policy.current())
        #expect(words.contains("version 2026-12"))
        _ = try app.doubleOptIn.confirm(token: token) { (purposes) throws(HeraldError) in
            ConsentNotice.confirmation(company: app.companyName, purposes: purposes, policy: try app.policy.current())
        }
        let export = try app.personData.export(email: "ada@example.com")
        #expect(export.consentLedger.map(\.policyVersion) == ["2026-12"])
        #expect(export.consentLedger.map(\.noticeHash) == [ConsentNotice.hash(words)])
        #expect(export.consents.map(\.policyVersion) == ["2026-12"])
    }

    /// A notice's last-moment check skips the purpose, never a bounce, a complaint or an erasure that came after
    /// the notice was queued.
    @Test(arguments: TestBackend.allCases) func aNoticeQueuedBeforeABounceIsNotSent(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        for email in ["stays@example.com", "bounces@example.com", "complains@example.com", "erased@example.com", "opts-out@example.com"] {
            try app.consent.register(Registration(email: email, consents: [.productNews], source: "test"))
        }
        _ = try PolicyTests.publish(app, version: "v1", notify: true)
        let started = try app.store.startDueCampaigns(now: app.clock()) { .send(CampaignService.audience(of: $0)) }
        #expect(started.first?.jobs == 5)
        try app.consent.suppress(email: "bounces@example.com", reason: .bounced)
        try app.consent.suppress(email: "complains@example.com", reason: .complaint)
        try app.personData.erase(email: "erased@example.com")
        try app.consent.setConsent(email: "opts-out@example.com", purpose: .productNews, granted: false, source: "test")
        try app.consent.suppress(email: "opts-out@example.com", reason: .unsubscribedAll)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients.sorted() == ["opts-out@example.com", "stays@example.com"])
    }
}

@Suite struct PolicyEdgeTests {
    /// Without --effective the day is today, whatever the hour: publishing again is the same publication.
    @Test(arguments: TestBackend.allCases) func republishingWithoutAnEffectiveDateIsTheSamePublication(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        let first = try PolicyTests.publish(app, version: "v1", notify: true, effective: nil)
        let again = try PolicyTests.publish(app, version: "v1", notify: true, effective: nil)
        #expect(!again.versionCreated && again.notice?.id == first.notice?.id)
        #expect(throws: HeraldError.self, "a notice goes to everyone or nobody") {
            try app.campaigns.create(kind: .policyChange, template: "policy-change", catalog: try app.catalog(),
                                     segment: try Segment.parse("product:volca"), at: nil, name: nil)
        }
    }

    /// v2 added promotions, v3 adds it again (withdrawing every grant): v2's link can no longer grant it.
    @Test(arguments: TestBackend.allCases) func anOlderVersionsLinkCannotGiveBackWhatALaterOneWithdrew(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        let id = try app.consent.register(Registration(email: "ada@example.com", consents: [.promotions], source: "test")).recipient.id!
        _ = try PolicyTests.publish(app, version: "v2", material: true, addsPurpose: .promotions)
        _ = try PolicyTests.publish(app, version: "v3", material: true, addsPurpose: .promotions, summary: "Again, differently.")
        let links = SignedLinks(tokens: app.tokens, publicURL: "https://mail.example.com")
        let old = String(links.policyChoiceURL(recipientID: id, version: "v2", now: Date()).split(separator: "/").last!)
        let new = String(links.policyChoiceURL(recipientID: id, version: "v3", now: Date()).split(separator: "/").last!)
        #expect(try app.policy.choice(token: old).supersededBy == "v3")
        #expect(throws: HeraldError.self) { try app.policy.choose(token: old, accept: true) }
        #expect(try app.store.consents(ofRecipient: id).first?.granted == false)
        _ = try app.policy.choose(token: new, accept: true)
        #expect(try app.store.consents(ofRecipient: id).first?.granted == true)
    }

    /// A campaign that failed as a whole comes back, once fixed, with `campaign retry`.
    @Test func aFailedCampaignIsScheduledAgainByRetry() throws {
        let folder = try TemplateFixtures.folder(changing: [:])
        let app = try TemplateFixtures.app(templates: folder)
        try app.consent.register(Registration(email: "ada@example.com", consents: [.promotions], source: "test"))
        let campaign = try app.campaigns.create(kind: .promotion, template: "promotion", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        let subject = folder.appendingPathComponent("promotion/subject.mustache")
        try "{{campaign.nmae}}\n".write(to: subject, atomically: true, encoding: .utf8)
        _ = try app.worker(transport: RecordingTransport()).run(untilIdle: true)
        #expect(try app.campaigns.report(id: campaign.id).status == .failed)
        try "{{campaign.name}}\n".write(to: subject, atomically: true, encoding: .utf8)
        #expect(try app.campaigns.retry(id: campaign.id).report.status == .scheduled)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["ada@example.com"])
        #expect(try app.campaigns.report(id: campaign.id).problem == nil)
    }
}
