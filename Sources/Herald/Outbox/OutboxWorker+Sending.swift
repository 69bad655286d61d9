import Foundation
import Storage

/// The sender threads: each takes jobs from the queue and sends them over its own connection.
extension OutboxWorker {
    /// One thread per connection: libcurl blocks, and the Swift concurrency pool (or `concurrentPerform`, one
    /// thread per core) must not cap the number of open connections.
    func startSenders(_ queue: DeliveryQueue) throws(HeraldError) -> [SenderThread] {
        var threads: [SenderThread] = []
        for _ in 0..<max(1, transport.parallelism) {
            let sender = SenderBox(try transport.makeSender())
            threads.append(SenderThread { [self] in sendLoop(sender.sender, queue) })
        }
        return threads
    }

    private func sendLoop(_ sender: any MessageSender, _ queue: DeliveryQueue) {
        var generator = SystemRandomNumberGenerator()
        // Its own connection for the last-moment check; if it cannot be opened, the store's shared readers do.
        let reader = try? store.makePermissionReader()
        while let job = queue.take() {
            guard !isStopping, waitForRateSlot() else {
                queue.finish(job, .unattempted(job))
                continue
            }
            let result = attempt(job, with: sender, reader: reader, jitter: Double.random(in: 0..<1, using: &generator))
            if sender.lastFailureWasFatal, case .notDelivered(let reason)? = result.verdict {
                queue.fail(reason)
                queue.finish(job, .unattempted(job))
                return
            }
            if result.verdict?.asksToSlowDown == true {
                queue.pause(domain: job.domain, until: clock().addingTimeInterval(options.rateLimitPause.seconds))
            }
            queue.finish(job, .done(result.outcome, result.summary))
        }
    }

    /// Waits for this message's slot under `smtp.rate`; false when the worker is stopping meanwhile.
    private func waitForRateSlot() -> Bool {
        var wait = rateLimiter.reserve(now: RateLimiter.now)
        while wait > 0 {
            if isStopping { return false }
            let step = min(wait, 0.05)
            Thread.sleep(forTimeInterval: step)
            wait -= step
        }
        return true
    }

    func attempt(_ job: ClaimedJob, with sender: any MessageSender, reader: PermissionReader?, jitter: Double) -> (outcome: JobOutcome, summary: JobOutcomeSummary, verdict: DeliveryVerdict?) {
        func skip(_ reason: String) -> (JobOutcome, JobOutcomeSummary, DeliveryVerdict?) {
            (JobOutcome(jobID: job.jobID, state: .skipped, reply: reason, lease: job.leaseUntil), JobOutcomeSummary(state: .skipped, reason: reason), nil)
        }
        guard let kind = CampaignKind(rawValue: job.kind) else { return skip("unknown campaign kind \(job.kind)") }
        let composed: MessageComposer.Composed
        do {
            composed = try composer.compose(.init(kind: kind, template: job.template, campaignName: job.campaignName,
                                                  recipientID: job.recipientID, email: job.email, name: job.name,
                                                  products: job.products), now: clock())
        } catch {
            let outcome = JobOutcome(jobID: job.jobID, state: .failed, reply: "cannot compose: \(error.message)", lease: job.leaseUntil)
            return (outcome, JobOutcomeSummary(state: .failed, reason: nil), nil)
        }
        // The last-moment check, after composing (which takes time) and right before the hand-off.
        let permission: SendPermission
        do {
            let purpose = kind.purpose?.rawValue
            if let reader {
                permission = try reader.permission(recipientID: job.recipientID, purpose: purpose, campaignID: job.campaignID)
            } else {
                permission = try store.sendPermission(recipientID: job.recipientID, purpose: purpose, campaignID: job.campaignID)
            }
        } catch {
            let outcome = retry.outcome(of: .notDelivered(reason: error.description), for: job, now: clock(), jitter: jitter)
            return (outcome, JobOutcomeSummary(state: outcome.state, reason: nil), nil)
        }
        guard permission.recipientExists else { return skip("recipient erased") }
        if permission.campaignCancelled { return skip("campaign cancelled") }
        if let reason = permission.suppressionReason { return skip("address suppressed (\(reason))") }
        if let purpose = kind.purpose, permission.consentGranted != true { return skip("no \(purpose.rawValue) consent") }

        let verdict = sender.send(composed, job: job.jobID, campaign: job.campaignID)
        let outcome = retry.outcome(of: verdict, for: job, now: clock(), jitter: jitter)
        return (outcome, JobOutcomeSummary(state: outcome.state, reason: nil), verdict)
    }
}

/// A thread that can be waited for.
final class SenderThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [finished] in
            body()
            finished.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    func join() {
        finished.wait()
    }
}

/// Each sender is used by exactly one thread; the box only carries it there.
private final class SenderBox: @unchecked Sendable {
    let sender: any MessageSender
    init(_ sender: any MessageSender) { self.sender = sender }
}
