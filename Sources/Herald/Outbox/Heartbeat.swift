import Foundation
import Synchronization

/// Calls `beat` every `interval` on a thread of its own until stopped. The worker's heartbeat: the coordinator
/// may spend long in one step (queueing a campaign of millions, waiting for slow servers at shutdown), and a
/// worker on another machine must not take it for dead meanwhile.
final class Heartbeat: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(every interval: Duration, beat: @escaping @Sendable () -> Void) {
        // The thread holds the heartbeat until `stop`, which every owner calls.
        let thread = Thread { [self] in
            Thread.current.name = "herald-beat"
            let clock = ContinuousClock()
            var next = clock.now + interval
            while !self.stopped.load(ordering: .relaxed) {
                if clock.now >= next {
                    beat()
                    next = clock.now + interval
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            self.finished.signal()
        }
        thread.start()
    }

    /// Stops the beats and waits for one under way to end; safe to call more than once.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        finished.wait()
    }
}
