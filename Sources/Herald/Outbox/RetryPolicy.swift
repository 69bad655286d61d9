import Foundation
import Store

/// What one delivery attempt produced, as the transport saw it.
public enum DeliveryVerdict: Sendable, Equatable {
    /// The server took the message (2xx).
    case accepted(code: Int, enhancedStatus: String?, reply: String)
    /// The server answered with a refusal for this message (4xx or 5xx).
    case refused(code: Int, enhancedStatus: String?, reply: String)
    /// No verdict: the server could not be reached, the connection dropped, TLS or AUTH failed.
    case notDelivered(reason: String)

    /// A refusal that means "too fast": 421, or an enhanced status of class 4.7 (Gmail's 4.7.28, and others'
    /// 4.7.0 "rate limited"). The recipient's domain then rests for a while instead of being hammered.
    public var asksToSlowDown: Bool {
        guard case .refused(let code, let enhanced, _) = self else { return false }
        return code == 421 || (code < 500 && enhanced?.hasPrefix("4.7.") == true)
    }
}

/// Turns a delivery verdict into the job's next state: the back-off rule, written once, with no clock or
/// randomness of its own (both are passed in, so tests can feed events and check the result).
///
/// - 2xx: `sent`. 5xx: `bounced`, and the address is suppressed.
/// - 4xx or no verdict: `deferred` until `backoff × 2^(attempt−1)` (±25% jitter, at most `maxBackoff`) has
///   passed, unless this was attempt `maxAttempts` or the job is older than `maxAge`: then `failed`.
public struct RetryPolicy: Sendable, Equatable {
    public var backoff: Duration
    public var maxBackoff: Duration
    public var maxAttempts: Int
    public var maxAge: Duration

    public init(backoff: Duration, maxBackoff: Duration, maxAttempts: Int, maxAge: Duration) {
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.maxAttempts = maxAttempts
        self.maxAge = maxAge
    }

    /// The wait after attempt number `attempt` (1-based); `jitter` is uniform in 0..<1.
    public func delay(afterAttempt attempt: Int, jitter: Double) -> Duration {
        let doubled = backoff.seconds * pow(2, Double(min(max(attempt - 1, 0), 40)))
        let jittered = doubled * (0.75 + 0.5 * jitter)
        return .milliseconds(Int64(min(jittered, maxBackoff.seconds) * 1000))
    }

    /// `jitter` (uniform in 0..<1) is asked for only when a retry is scheduled.
    public func outcome(of verdict: DeliveryVerdict, for job: ClaimedJob, now: Date, jitter: @autoclosure () -> Double) -> JobOutcome {
        switch verdict {
        case .accepted(let code, let enhanced, let reply):
            return JobOutcome(jobID: job.jobID, state: .sent, code: code, enhancedStatus: enhanced, reply: reply, lease: job.leaseUntil)
        case .refused(let code, let enhanced, let reply) where code >= 500:
            return JobOutcome(jobID: job.jobID, state: .bounced, code: code, enhancedStatus: enhanced, reply: reply,
                              suppressAs: .bounced, lease: job.leaseUntil)
        case .refused(let code, let enhanced, let reply):
            return retryOrFail(job: job, now: now, jitter: jitter, code: code, enhanced: enhanced, reply: reply)
        case .notDelivered(let reason):
            return retryOrFail(job: job, now: now, jitter: jitter, code: nil, enhanced: nil, reply: reason)
        }
    }

    private func retryOrFail(job: ClaimedJob, now: Date, jitter: () -> Double, code: Int?, enhanced: String?, reply: String) -> JobOutcome {
        let next = now.addingTimeInterval(delay(afterAttempt: job.attempt, jitter: jitter()).seconds)
        let tooOld = next.timeIntervalSince(job.queuedAt) > maxAge.seconds
        if job.attempt >= maxAttempts || tooOld {
            return JobOutcome(jobID: job.jobID, state: .failed, code: code, enhancedStatus: enhanced, reply: reply, lease: job.leaseUntil)
        }
        return JobOutcome(jobID: job.jobID, state: .deferred, code: code, enhancedStatus: enhanced, reply: reply, nextAttemptAt: next,
                          lease: job.leaseUntil)
    }
}
