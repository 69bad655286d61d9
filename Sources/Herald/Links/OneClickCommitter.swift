import Foundation
import Store

/// Commits one-click unsubscribes in groups. Each unsubscribe must be durable before its 200 goes out, and a
/// durable commit (a WAL fsync) costs the same for one change as for hundreds, while SQLite has one writer: one
/// transaction per request capped the rate at one fsync at a time. Here requests wait on one committer thread;
/// whatever arrived while the last commit ran goes into the next, and every request is answered after the commit
/// that holds it. No timer: a lone request is committed at once.
public final class OneClickCommitter: @unchecked Sendable {
    public static let largestGroup = 512

    private struct Waiting {
        var recipientID: Int64
        var change: ConsentChange
        var campaignID: Int64?
        var answer: CheckedContinuation<Bool, any Error>
    }

    private let store: any ConsentStore & CampaignStore
    private let condition = NSCondition()
    private var waiting: [Waiting] = []

    public init(store: any ConsentStore & CampaignStore) {
        self.store = store
        let thread = Thread { [self] in
            // Set from inside: Foundation on Linux names only a running thread (it shows in top -H and profiles).
            Thread.current.name = "herald-oneclick"
            run()
        }
        thread.start()
    }

    /// Revokes the purpose, durably, together with whatever else is waiting; true when it changed the state.
    public func revoke(_ target: RecipientLinks.UnsubscribeTarget, at now: Date) async throws -> Bool {
        let change = ConsentChange(purpose: target.purpose, granted: false, source: RecipientLinks.oneClickSource, at: now)
        let revoked = try await withCheckedThrowingContinuation { answer in
            condition.lock()
            waiting.append(Waiting(recipientID: target.recipientID, change: change, campaignID: target.campaignID, answer: answer))
            condition.signal()
            condition.unlock()
        }
        return revoked
    }

    private func run() {
        while true {
            condition.lock()
            while waiting.isEmpty { condition.wait() }
            let group = Array(waiting.prefix(Self.largestGroup))
            waiting.removeFirst(group.count)
            condition.unlock()
            do {
                let results = try store.applyConsents(group.map { (recipientID: $0.recipientID, change: $0.change) })
                // Counted once a group: finding the counter is a registry lookup under a lock.
                HeraldMetrics.countUnsubscribes(results.filter { $0 }.count, source: RecipientLinks.oneClickSource)
                countByCampaign(zip(group, results).filter(\.1).compactMap(\.0.campaignID))
                for (item, revoked) in zip(group, results) { item.answer.resume(returning: revoked) }
            } catch {
                let failure = HeraldError(.software, error.description, cause: error)
                for item in group { item.answer.resume(throwing: failure) }
            }
        }
    }

    /// Each campaign's report counts the unsubscribes its links brought. The revocations are committed already;
    /// a count that cannot be written is lost, never the unsubscribe.
    private func countByCampaign(_ campaigns: [Int64]) {
        for (campaign, count) in Dictionary(campaigns.map { ($0, 1) }, uniquingKeysWith: +) {
            try? store.countUnsubscribes(campaignID: campaign, count: count)
        }
    }
}
