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
        var answer: CheckedContinuation<Bool, any Error>
    }

    private let store: any ConsentStore
    private let condition = NSCondition()
    private var waiting: [Waiting] = []

    public init(store: any ConsentStore) {
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
            waiting.append(Waiting(recipientID: target.recipientID, change: change, answer: answer))
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
                for (item, revoked) in zip(group, results) { item.answer.resume(returning: revoked) }
            } catch {
                let failure = HeraldError(.software, error.description, cause: error)
                for item in group { item.answer.resume(throwing: failure) }
            }
        }
    }
}
