import Foundation
import Store
import Testing
@testable import Herald

/// Unsubscribes committed in groups: every request answered with its own result, each recorded once, however
/// many arrive together.
@Suite struct OneClickCommitterTests {
    @Test func concurrentUnsubscribesAreEachRecordedOnceAndAnsweredWithTheirOwnResult() async throws {
        let app = try TestApp.make()
        var ids: [Int64] = []
        for index in 0..<200 {
            ids.append(try app.consent.register(Registration(email: "p\(index)@example.com", consents: [.promotions, .productNews], source: "test")).recipient.id!)
        }
        let committer = OneClickCommitter(store: app.store)
        let now = app.clock()
        func target(_ id: Int64, _ purpose: Purpose) -> RecipientLinks.UnsubscribeTarget {
            RecipientLinks.UnsubscribeTarget(recipientID: id, purpose: purpose, preferencesURL: "")
        }
        // Every person's promotions, twice each, and one id nobody has, all at once.
        let results = try await withThrowingTaskGroup(of: (Int64, Bool).self) { group in
            for id in ids + ids + [999_999] {
                group.addTask { (id, try await committer.revoke(target(id, .promotions), at: now)) }
            }
            return try await group.reduce(into: [Int64: [Bool]]()) { $0[$1.0, default: []].append($1.1) }
        }
        #expect(results[999_999] == [false])
        for id in ids {
            #expect(results[id]?.sorted { !$0 && $1 } == [false, true], "one of the two changed the state: \(results[id] ?? [])")
            let ledger = try app.store.ledger(ofRecipient: id)
            #expect(ledger.filter { $0.source == "one-click" }.map(\.purpose) == [.promotions])
            #expect(try app.store.consents(ofRecipient: id).first { $0.purpose == .productNews }?.granted == true, "only that purpose")
        }
    }
}
