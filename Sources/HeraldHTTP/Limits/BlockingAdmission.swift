import NIOCore
import Synchronization

/// How much blocking work may be running or waiting at once: the pool's threads, and `http.max_queued_work`
/// requests waiting for one. NIO's thread pool queues without limit, so under a flood of slow (database)
/// requests every later one would wait behind all the others; past this bound a request is answered 503 at
/// once instead (`BusyAnswer`), and what does not need the pool (`/healthz`, one-click) is not delayed at all.
final class BlockingAdmission: Sendable {
    let capacity: Int
    private let outstanding = Atomic<Int>(0)

    init(queued: Int, threads: Int = NIOSingletons.blockingPoolThreadCountSuggestion) {
        capacity = threads + max(queued, 0)
    }

    /// Takes a place if one is free.
    func enter() -> Bool {
        let taken = outstanding.add(1, ordering: .relaxed).newValue
        if taken <= capacity { return true }
        outstanding.subtract(1, ordering: .relaxed)
        return false
    }

    func leave() {
        outstanding.subtract(1, ordering: .relaxed)
    }
}
