import NIOPosix
import Synchronization

/// Where the console's password checks run (sign-in, password change: each a 32 MiB scrypt): on `parallel`
/// threads of their own, so a burst of attempts waits here instead of taking the threads that one-click
/// unsubscribes, pages and Swift's own tasks run on (a dispatch queue would share those); and at most `waiting`
/// more may wait, so a flood is answered 503 at once instead of piling up without bound.
final class PasswordWork: Sendable {
    static let parallel = 2
    /// `console.sign_in_queue`.
    let waiting: Int
    /// What a refused request is told to wait, in seconds: about how long the queue takes to drain.
    static let retryAfter = 5

    private let threads: NIOThreadPool
    private let admitted = Mutex(0)

    init(waiting: Int) {
        self.waiting = waiting
        threads = NIOThreadPool(numberOfThreads: Self.parallel)
        threads.start()
    }

    /// Runs `work` there, or returns nil at once when the queue is full.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T? {
        let entered = admitted.withLock { count -> Bool in
            guard count < Self.parallel + waiting else { return false }
            count += 1
            return true
        }
        guard entered else { return nil }
        defer { admitted.withLock { $0 -= 1 } }
        return try? await threads.runIfActive(work)
    }
}
