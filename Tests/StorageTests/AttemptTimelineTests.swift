import Foundation
import Testing
import Store
import TestDatabases

/// A campaign's outcome over time, on both backends: every attempt counted once, by outcome, in the stretch
/// of time it was made in, and nothing of another campaign.
@Suite struct AttemptTimelineTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: TestBackend.allCases) func attemptsAreCountedByOutcomeInTheirStretch(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        for index in 1...5 {
            let person = NewRecipient(email: "p\(index)@example.com", addressHash: Data(repeating: UInt8(index), count: 32), name: nil,
                                      birthYear: nil, products: [], source: "test")
            _ = try store.register(person, consents: [ConsentChange(purpose: .promotions, granted: true, source: "test", at: now)], lifting: [], at: now)
        }
        let campaign = try store.createCampaign(Campaign(name: "n", kind: .promotion, template: "t", segment: nil, dueAt: now, createdAt: now))
        let other = try store.createCampaign(Campaign(name: "o", kind: .promotion, template: "t", segment: nil, dueAt: now, createdAt: now))
        _ = try store.startDueCampaigns(now: now) { _ in .send(Audience(purpose: .promotions, anyOfProducts: nil)) }
        let jobs = try store.claimJobs(now: now, limit: 10, leaseUntil: now.addingTimeInterval(600), owner: "test")
        let ours = jobs.filter { $0.campaignID == campaign.id! }, theirs = jobs.filter { $0.campaignID == other.id! }
        #expect(ours.count == 5 && theirs.count == 5)
        // Seconds 0–9: three sent and one deferred; at 20 s exactly (a stretch's first instant): one bounced. The
        // other campaign: all sent at 5 s.
        try store.record(ours[0..<3].map { JobOutcome(jobID: $0.jobID, state: .sent, code: 250, lease: $0.leaseUntil) }, now: now.addingTimeInterval(1.5))
        try store.record([JobOutcome(jobID: ours[3].jobID, state: .deferred, code: 451, nextAttemptAt: now.addingTimeInterval(60), lease: ours[3].leaseUntil)],
                         now: now.addingTimeInterval(9.9))
        try store.record([JobOutcome(jobID: ours[4].jobID, state: .bounced, code: 550, lease: ours[4].leaseUntil)], now: now.addingTimeInterval(20))
        try store.record(theirs.map { JobOutcome(jobID: $0.jobID, state: .sent, code: 250, lease: $0.leaseUntil) }, now: now.addingTimeInterval(5))

        let timeline = try store.attemptTimeline(campaignID: campaign.id!, from: now, bucketSeconds: 10)
        #expect(Set(timeline.map { "\($0.index) \($0.state.rawValue) \($0.count)" }) == ["0 sent 3", "0 deferred 1", "2 bounced 1"], "\(timeline)")
        let before = try store.attemptTimeline(campaignID: campaign.id!, from: now.addingTimeInterval(5), bucketSeconds: 10)
        #expect(Set(before.map { "\($0.index) \($0.state.rawValue) \($0.count)" }) == ["0 sent 3", "0 deferred 1", "1 bounced 1"],
                "an attempt before `from` counts in the first stretch; 4.9 s after it is in 0, 15 s in 1: \(before)")
        #expect(try store.attemptTimeline(campaignID: other.id! + 100, from: now, bucketSeconds: 10).isEmpty)
    }
}
