import Foundation

/// A worker as the fleet knows it: who holds leases, on which machine, and when it last said it runs.
public struct WorkerPresence: Sendable, Equatable {
    /// The lease owner it claims jobs as.
    public var owner: String
    /// Which machine (and process namespace) it runs on: a worker there can check its process directly.
    public var host: String
    public var lastBeat: Date
    /// It said goodbye: its leases may be taken at once.
    public var signedOff: Bool

    public init(owner: String, host: String, lastBeat: Date, signedOff: Bool) {
        self.owner = owner
        self.host = host
        self.lastBeat = lastBeat
        self.signedOff = signedOff
    }
}

/// What workers sharing one store share besides the outbox: who is alive (heartbeats, so a worker on another
/// machine can tell a dead one from a slow one), one send schedule for `smtp.rate`, and the pauses that a
/// domain's "slow down" reply puts on everyone.
public protocol FleetStore: Sendable {
    /// Records that `owner` on `host` runs at `now`; the first beat registers it. Presences older than a day
    /// are forgotten on the way.
    func heartbeat(owner: String, host: String, now: Date) throws(StorageError)

    /// The worker stopped and gave back its jobs.
    func signOff(owner: String, now: Date) throws(StorageError)

    /// Every worker that beat within the last day, signed off or not.
    func workers(since: Date) throws(StorageError) -> [WorkerPresence]

    /// Reserves `count` consecutive slots, `interval` seconds apart, on the fleet's one schedule of message
    /// starts, and returns how many seconds from now the first one is (0: at once). The schedule never saves up
    /// slots while nobody sends, so no burst exceeds the rate, however many workers share it. The store's own
    /// clock (the database server's) keeps the time, so machines whose clocks differ still share one schedule.
    func reserveSendSlots(count: Int, interval: Double) throws(StorageError) -> Double

    /// Nothing more goes to `domain` before `until`, from any worker.
    func pauseDomain(_ domain: String, until: Date) throws(StorageError)

    /// The domains paused at `now`, with the end of each pause.
    func pausedDomains(now: Date) throws(StorageError) -> [String: Date]

    /// A listener for word of new work, on a connection of its own; nil when the backend has none.
    func makeWorkListener() throws(StorageError) -> (any WorkListener)?
}

/// Word from the store that there is work: a campaign scheduled or started, jobs queued or taken back, a
/// retry. A backend without such word (SQLite) has none, and workers poll.
public protocol WorkListener: AnyObject {
    /// Waits up to `seconds`; true when word came meanwhile (or had come since the last call).
    func waitForWork(seconds: Double) throws(StorageError) -> Bool
}

extension FleetStore {
    /// None by default: the worker polls.
    public func makeWorkListener() throws(StorageError) -> (any WorkListener)? { nil }
}
