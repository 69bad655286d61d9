import Foundation
import Testing
import Store
import TestDatabases

/// Step 11's storage on both backends: a campaign's words and draft state, edits that lose to a worker's
/// start, personal fields and a first name that a claim hands to composing and an audience can filter on,
/// named segments, and unsubscribes counted per campaign.
@Suite struct CampaignWordsStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func person(_ email: String, hash: UInt8, first: String? = nil, fields: [String: String] = [:]) -> NewRecipient {
        NewRecipient(email: email, addressHash: Data(repeating: hash, count: 32), name: "Petrov, Ivan", birthYear: nil, products: [],
                     source: "test", firstName: first, attributes: fields)
    }

    func grant(_ purpose: Purpose) -> ConsentChange { ConsentChange(purpose: purpose, granted: true, source: "test", at: now) }

    @Test(arguments: TestBackend.allCases) func wordsAndDraftsAreKeptAndAStartedCampaignCannotBeEdited(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let words = CampaignWords(subject: "Sale for {{first_name}}", preheader: "Two weeks", body: "# Hi\n\n- a\n- b", format: .markdown)
        var draft = try store.createCampaign(Campaign(name: "Winter", kind: .promotion, template: "promotion", segment: nil, status: .draft,
                                                      dueAt: now, createdAt: now, words: words))
        #expect(try store.campaign(id: draft.id!)?.words == words && store.campaign(id: draft.id!)?.status == .draft)
        // A draft is never started, however due.
        #expect(try store.startDueCampaigns(now: now.addingTimeInterval(3600)) { _ in .send(nil) }.isEmpty)
        draft.words?.body = "Changed"
        draft.words?.format = .html
        draft.status = .scheduled
        draft.segment = "attribute:country=DE"
        let saved = try #require(try store.updateCampaign(draft, expecting: .draft))
        // Another editor's change made from the draft it read loses: the campaign is scheduled now.
        var stale = draft
        stale.status = .draft
        #expect(try store.updateCampaign(stale, expecting: .draft) == nil)
        #expect(saved.words?.body == "Changed" && saved.words?.format == .html && saved.status == .scheduled && saved.segment == "attribute:country=DE")
        #expect(try store.startDueCampaigns(now: now) { _ in .send(nil) }.count == 1)
        // Started (done: nobody to send to): an edit written after that changes nothing.
        draft.words?.body = "Too late"
        #expect(try store.updateCampaign(draft, expecting: .scheduled) == nil)
        #expect(try store.campaign(id: draft.id!)?.words?.body == "Changed")
        // A campaign without words of its own keeps none.
        let plain = try store.createCampaign(Campaign(name: "p", kind: .productNews, template: "product-news", segment: nil, dueAt: now, createdAt: now))
        #expect(try store.campaign(id: plain.id!)?.words == nil)
    }

    @Test(arguments: TestBackend.allCases) func personalFieldsReachTheClaimAndTheAudience(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        _ = try store.register(person("ivan@example.com", hash: 1, fields: ["country": "DE", "upgrade_code": "UP-1"]),
                               consents: [grant(.promotions)], lifting: [], at: now)
        _ = try store.register(person("ada@example.com", hash: 2, first: "Augusta", fields: ["country": "AT"]),
                               consents: [grant(.promotions)], lifting: [], at: now)
        _ = try store.register(person("grace@example.com", hash: 3), consents: [grant(.promotions)], lifting: [], at: now)
        // Registering again adds to the fields and keeps the rest.
        let again = try store.register(person("ivan@example.com", hash: 1, fields: ["upgrade_code": "UP-9"]), consents: [], lifting: [], at: now)
        #expect(again.recipient.attributes == ["country": "DE", "upgrade_code": "UP-9"])
        #expect(try store.audienceSize(Audience(purpose: .promotions, anyOfProducts: nil, attributes: ["country": ["DE", "AT"]])) == 2)
        #expect(try store.audienceSize(Audience(purpose: .promotions, anyOfProducts: nil, attributes: ["country": ["AT"]])) == 1)
        // A field name is data, never SQL or a JSON path of its own.
        #expect(try store.audienceSize(Audience(purpose: .promotions, anyOfProducts: nil, attributes: ["country\") OR 1=1 --": ["DE"]])) == 0)
        let words = CampaignWords(subject: "s", body: "b")
        _ = try store.createCampaign(Campaign(name: "c", kind: .promotion, template: "promotion", segment: nil, dueAt: now, createdAt: now, words: words))
        _ = try store.startDueCampaigns(now: now) { _ in .send(Audience(purpose: .promotions, anyOfProducts: nil)) }
        let jobs = try store.claimJobs(now: now, limit: 10, leaseUntil: now.addingTimeInterval(60), owner: "test", confirmationShare: 0.25)
        #expect(jobs.count == 3 && jobs.allSatisfy { $0.words == words })
        let byAddress = Dictionary(uniqueKeysWithValues: jobs.map { ($0.email, $0) })
        #expect(byAddress["ivan@example.com"]?.attributes == ["country": "DE", "upgrade_code": "UP-9"])
        #expect(byAddress["ada@example.com"]?.firstName == "Augusta" && byAddress["ada@example.com"]?.attributes == ["country": "AT"])
        #expect(byAddress["grace@example.com"]?.attributes == [:] && byAddress["grace@example.com"]?.firstName == nil)
    }

    @Test(arguments: TestBackend.allCases) func importsCompareFieldsSoTheSameFileChangesNothing(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let row = ImportRow(recipient: person("ivan@example.com", hash: 1, first: "Ivan", fields: ["country": "DE"]), grants: [.promotions])
        #expect(try store.importBatch([row], at: now).created == 1)
        #expect(try store.importBatch([row], at: now).unchanged == 1)
        var changed = row
        changed.recipient.attributes = ["country": "AT"]
        #expect(try store.importBatch([changed], at: now).updated == 1)
        let stored = try store.recipient(addressHash: Data(repeating: 1, count: 32))
        #expect(stored?.attributes == ["country": "AT"] && stored?.firstName == "Ivan")
    }

    @Test(arguments: TestBackend.allCases) func namedSegmentsAndUnsubscribeCounts(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        try store.saveSegment(SavedSegment(name: "dach", expression: "attribute:country=DE", savedAt: now))
        try store.saveSegment(SavedSegment(name: "dach", expression: "attribute:country=AT,attribute:country=DE", savedAt: now))
        try store.saveSegment(SavedSegment(name: "kronos", expression: "product:kronos", savedAt: now))
        #expect(try store.savedSegments().map(\.name) == ["dach", "kronos"])
        #expect(try store.savedSegments().first?.expression == "attribute:country=AT,attribute:country=DE")
        #expect(try store.removeSegment(named: "kronos") && !store.removeSegment(named: "kronos"))
        let campaign = try store.createCampaign(Campaign(name: "c", kind: .promotion, template: "promotion", segment: nil, dueAt: now, createdAt: now))
        try store.countUnsubscribes(campaignID: campaign.id!, count: 2)
        try store.countUnsubscribes(campaignID: campaign.id!, count: 1)
        try store.countUnsubscribes(campaignID: 999_999, count: 1)  // no such campaign: nothing written
        #expect(try store.unsubscribeCount(campaignID: campaign.id!) == 3 && store.unsubscribeCount(campaignID: 999_999) == 0)
    }
}
