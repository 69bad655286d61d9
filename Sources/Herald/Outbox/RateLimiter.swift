import Foundation
import Store
import Synchronization

/// `smtp.rate`: messages per second across all connections, as a schedule of start times (the generic cell
/// rate algorithm, a token bucket holding one token). Each message reserves the next free slot, one interval
/// after the previous one, or now if the schedule has fallen behind; nothing accumulates while the sender is
/// idle or the server is slow, so no burst ever exceeds the rate.
///
/// With a `shared` schedule (the store's, one for every worker of the fleet) the slots come from it in blocks
/// of a tenth of a second's worth: the fleet as a whole keeps the rate, each worker sending in the blocks it
/// reserved. If the store cannot be asked, the worker keeps a schedule of its own meanwhile.
final class RateLimiter: Sendable {
    typealias SharedSchedule = @Sendable (_ count: Int, _ interval: Double) throws(StorageError) -> Double

    private let interval: Double
    private let shared: SharedSchedule?
    private let blockSize: Int
    private let state = Mutex<State>(State())

    private struct State {
        /// Local schedule: the next free slot.
        var nextSlot: Double = 0
        /// Shared schedule: the current block's first slot and how many of its slots are taken.
        var blockStart: Double = 0
        var blockTaken = Int.max
    }

    /// `perSecond` 0 means unlimited.
    init(perSecond: Double, shared: SharedSchedule? = nil) {
        interval = perSecond > 0 ? 1 / perSecond : 0
        self.shared = shared
        blockSize = max(1, Int(perSecond / 10))
    }

    var isLimited: Bool { interval > 0 }

    /// Reserves the next slot and returns how many seconds from `now` it starts (0: go now). `now` is monotonic
    /// seconds (`RateLimiter.now`).
    func reserve(now: Double) -> Double {
        guard interval > 0 else { return 0 }
        return state.withLock { state in
            if let shared {
                // A sender a little late catches up within its block (at most a block's worth sooner than its
                // slots); a block left unused for longer than itself lasts is given up, not sent in a burst.
                let span = Double(blockSize) * interval
                if state.blockTaken >= blockSize || now >= state.blockStart + 2 * span {
                    // Asked under the lock: the other senders of this worker wait for their slot anyway.
                    guard let wait = try? shared(blockSize, interval) else { return local(&state, now: now) }
                    state.blockStart = now + wait
                    state.blockTaken = 0
                }
                let slot = state.blockStart + Double(state.blockTaken) * interval
                state.blockTaken += 1
                return max(0, slot - now)
            }
            return local(&state, now: now)
        }
    }

    private func local(_ state: inout State, now: Double) -> Double {
        let slot = max(state.nextSlot, now)
        state.nextSlot = slot + interval
        return slot - now
    }

    static var now: Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000
    }
}
