import Foundation
import Store

/// Whether anything sends: the console warns when mail is due and no worker has been seen for a minute (a
/// `herald serve` with no `herald worker` beside it queues campaigns that never go).
public struct SendingWatch: Sendable, Equatable, Codable {
    /// The last heartbeat of any worker still running (not signed off), or nil when none beat in the last day.
    public var lastWorkerSeen: Date?
    /// Campaigns due now that no worker has started, and messages waiting in the outbox.
    public var dueCampaigns: Int
    public var waitingMessages: Int
    /// True when something is due and no worker has been seen for `SendingWatch.silence`.
    public var stalled: Bool

    /// How long without a heartbeat counts as no worker (workers beat every few seconds while they run).
    public static let silence: TimeInterval = 60
}

extension HeraldApp {
    public func sendingWatch() throws(HeraldError) -> SendingWatch {
        let now = clock()
        let workers = try storage { () throws(StorageError) in try store.workers(since: now.addingTimeInterval(-86_400)) }
        let last = workers.filter { !$0.signedOff }.map(\.lastBeat).max()
        let due = try storage { () throws(StorageError) in try store.campaigns() }
            .filter { $0.status == .scheduled && $0.dueAt <= now }.count
        let depth = try storage { () throws(StorageError) in try store.outboxDepth() }
        let waiting = (depth[.queued] ?? 0) + (depth[.deferred] ?? 0) + (depth[.sending] ?? 0)
        let silent = last.map { now.timeIntervalSince($0) > SendingWatch.silence } ?? true
        return SendingWatch(lastWorkerSeen: last, dueCampaigns: due, waitingMessages: waiting, stalled: silent && (due > 0 || waiting > 0))
    }
}
