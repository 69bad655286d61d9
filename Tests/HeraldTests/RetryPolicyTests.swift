import Foundation
import Store
import Testing
@testable import Herald

struct RetryPolicyTests {
    let policy = RetryPolicy(backoff: .seconds(60), maxBackoff: .seconds(600), maxAttempts: 5, maxAge: .seconds(86_400))
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func job(attempt: Int, queuedAgo: TimeInterval = 0) -> ClaimedJob {
        ClaimedJob(jobID: 1, campaignID: 1, campaignName: "c", kind: .promotion, template: "t", recipientID: 1,
                   email: "a@example.com", name: nil, products: [], attempt: attempt, queuedAt: now.addingTimeInterval(-queuedAgo))
    }

    @Test func backoffDoublesWithJitterUpToTheCap() {
        #expect(policy.delay(afterAttempt: 1, jitter: 0.5) == .seconds(60))
        #expect(policy.delay(afterAttempt: 2, jitter: 0.5) == .seconds(120))
        #expect(policy.delay(afterAttempt: 3, jitter: 0) == .seconds(180))     // 240 × 0.75
        #expect(policy.delay(afterAttempt: 3, jitter: 0.999).seconds < 360)    // 240 × 1.25
        #expect(policy.delay(afterAttempt: 30, jitter: 1) == .seconds(600))
    }

    @Test func repliesDecideTheState() {
        let sent = policy.outcome(of: .accepted(code: 250, enhancedStatus: "2.0.0", reply: "ok"), for: job(attempt: 1), now: now, jitter: 0.5)
        #expect(sent.state == .sent && sent.suppressAs == nil)
        let bounced = policy.outcome(of: .refused(code: 550, enhancedStatus: "5.1.1", reply: "no such user"), for: job(attempt: 1), now: now, jitter: 0.5)
        #expect(bounced.state == .bounced && bounced.suppressAs == .bounced && bounced.enhancedStatus == "5.1.1")
        let deferred = policy.outcome(of: .refused(code: 451, enhancedStatus: "4.7.1", reply: "later"), for: job(attempt: 1), now: now, jitter: 0.5)
        #expect(deferred.state == .deferred && deferred.nextAttemptAt == now.addingTimeInterval(60) && deferred.code == 451)
        let unreachable = policy.outcome(of: .notDelivered(reason: "connection refused"), for: job(attempt: 2), now: now, jitter: 0.5)
        #expect(unreachable.state == .deferred && unreachable.reply == "connection refused")
    }

    @Test func givesUpAfterMaxAttemptsOrMaxAge() {
        let last = policy.outcome(of: .refused(code: 451, enhancedStatus: nil, reply: "later"), for: job(attempt: 5), now: now, jitter: 0.5)
        #expect(last.state == .failed)
        let old = policy.outcome(of: .refused(code: 421, enhancedStatus: nil, reply: "later"), for: job(attempt: 2, queuedAgo: 86_390), now: now, jitter: 0.5)
        #expect(old.state == .failed)
    }
}
