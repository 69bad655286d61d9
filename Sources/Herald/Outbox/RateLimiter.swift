import Foundation
import Synchronization

/// `smtp.rate`: messages per second across all connections, as a schedule of start times (the generic cell
/// rate algorithm, a token bucket holding one token). Each message reserves the next free slot, one interval
/// after the previous one, or now if the schedule has fallen behind; nothing accumulates while the sender is
/// idle or the server is slow, so no burst ever exceeds the rate.
final class RateLimiter: Sendable {
    private let interval: Double
    private let nextSlot = Mutex<Double>(0)

    /// `perSecond` 0 means unlimited.
    init(perSecond: Double) {
        interval = perSecond > 0 ? 1 / perSecond : 0
    }

    var isLimited: Bool { interval > 0 }

    /// Reserves the next slot and returns how many seconds from `now` it starts (0: go now). `now` is monotonic
    /// seconds (`RateLimiter.now`).
    func reserve(now: Double) -> Double {
        guard interval > 0 else { return 0 }
        return nextSlot.withLock { next in
            let slot = max(next, now)
            next = slot + interval
            return slot - now
        }
    }

    static var now: Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000
    }
}
