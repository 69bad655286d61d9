import Foundation
import Store

/// The sender threads: each takes jobs from the queue and sends them over its own connection; for signed
/// messages a composer thread beside it prepares the next one (see `composesAhead`).
extension OutboxWorker {
    /// One thread per connection: libcurl blocks, and the Swift concurrency pool (or `concurrentPerform`, one
    /// thread per core) must not cap the number of open connections.
    func startSenders(_ queue: DeliveryQueue) throws(HeraldError) -> [SenderThread] {
        // Every connection's sender first: if one cannot be made, no thread is left waiting on the queue.
        var senders: [SenderBox] = []
        for number in 0..<max(1, transport.parallelism) {
            senders.append(SenderBox(try transport.makeSender(), journal: try journal?.makeWriter(sender: number)))
        }
        var threads: [SenderThread] = []
        for (number, sender) in senders.enumerated() {
            let name = "herald-send\(number)"
            if composesAhead {
                let handoff = ComposedHandoff()
                threads.append(SenderThread(name: "herald-comp\(number)") { [self] in composeLoop(queue, handoff) })
                threads.append(SenderThread(name: name) { [self] in
                    sendLoop(sender.sender, sender.journal, queue) { handoff.take().map { ($0.job, $0.message) } }
                })
            } else {
                threads.append(SenderThread(name: name) { [self] in
                    sendLoop(sender.sender, sender.journal, queue) { queue.take().map { ($0, nil) } }
                })
            }
        }
        return threads
    }

    /// Signed messages are composed ahead, on a thread beside each sender: signing takes longer than an SMTP
    /// exchange on loopback, and overlapping the two sent 2-8 % faster. Unsigned ones are composed by the sender
    /// itself right before sending: then the hand-off between threads costs more than it saves, and the message
    /// is still in this core's cache when libcurl reads it (measured: 4-15 % less CPU per message).
    var composesAhead: Bool { composer.signer != nil }

    /// Takes a job only once the previous message has gone to the sender, so a connection holds at most two
    /// (one on the wire, one being composed or ready), and so at most two of a domain's in-flight cap. Under
    /// `smtp.rate` it passes the job on uncomposed: the sender composes it after waiting for its slot, so that
    /// its Date is not a slot old.
    private func composeLoop(_ queue: DeliveryQueue, _ handoff: ComposedHandoff) {
        defer { handoff.close() }
        while true {
            handoff.waitUntilEmpty()
            guard let job = queue.take() else { return }
            guard !rateLimiter.isLimited else {
                handoff.put(.init(job: job, message: nil))
                continue
            }
            switch compose(job) {
            case .message(let message): handoff.put(.init(job: job, message: message))
            case .finished(let outcome, let summary): queue.finish(job, .done(outcome, summary))
            }
        }
    }

    /// `next` gives the next job, and its message when it was composed ahead.
    private func sendLoop(_ sender: any MessageSender, _ journal: AcceptedJournal.Writer?, _ queue: DeliveryQueue,
                          next: () -> (ClaimedJob, MessageComposer.Composed?)?) {
        // Its own reader for the last-moment check. Without one nothing is sent: each job is deferred instead.
        let reader: Result<any SendPermissionReader, StorageError>
        do { reader = .success(try store.makePermissionReader()) } catch { reader = .failure(error) }
        var destinationFailed = false
        while let (job, ready) = next() {
            if let until = queue.pausedUntil(domain: job.domain, now: clock()) {
                queue.finish(job, .postponed(job, until: until))
                continue
            }
            // Under smtp.rate a withdrawn job must not take a slot from the fleet's schedule: it is checked once
            // before the wait too (and again, as always, right before the send).
            if rateLimiter.isLimited, !destinationFailed, !isStopping, let refused = refusal(of: job, reader: reader), refused.verdict == nil,
               refused.outcome.state == .skipped {
                queue.finish(job, .done(refused.outcome, refused.summary))
                continue
            }
            guard !destinationFailed, !isStopping, waitForRateSlot() else {
                queue.finish(job, .unattempted(job))
                continue
            }
            let message: MessageComposer.Composed
            if let ready { message = ready } else {
                switch compose(job) {
                case .message(let composed): message = composed
                case .finished(let outcome, let summary):
                    queue.finish(job, .done(outcome, summary))
                    continue
                }
            }
            let result = deliver(job, message, with: sender, reader: reader)
            if sender.lastFailureWasFatal, case .notDelivered(let reason)? = result.verdict {
                // The queue closes, the composer stops, and what it already made goes back untried.
                queue.fail(reason)
                queue.finish(job, .unattempted(job))
                destinationFailed = true
                continue
            }
            if result.verdict?.asksToSlowDown == true {
                let until = clock().addingTimeInterval(options.rateLimitPause.seconds)
                queue.pause(domain: job.domain, until: until)
                // The other workers read it at their next heartbeat; if the store cannot take it now, this
                // worker still pauses.
                try? store.pauseDomain(job.domain, until: until)
            }
            // Written before the result goes anywhere: from here a crash cannot make this message go out again.
            var mark: AcceptedJournal.Mark?
            if let journal, case .accepted(let code, let enhanced, let reply)? = result.verdict {
                mark = AcceptedJournal.Mark(writer: journal, sequence: journal.append(jobID: job.jobID, code: code, enhancedStatus: enhanced, reply: reply))
            }
            queue.finish(job, .done(result.outcome, result.summary, mark))
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

    enum Prepared {
        case message(MessageComposer.Composed)
        /// The job ends here: its data cannot make a message.
        case finished(JobOutcome, JobOutcomeSummary)
    }

    func compose(_ job: ClaimedJob) -> Prepared {
        do {
            var input = MessageComposer.Input(kind: job.kind, template: job.template, campaignName: job.campaignName,
                                              recipientID: job.recipientID, email: job.email, name: job.name,
                                              products: job.products, confirmPurposes: job.waitingPurposes, policy: job.policy,
                                              words: job.words, firstName: job.firstName, attributes: job.attributes)
            input.campaignID = job.campaignID
            input.jobID = job.jobID
            return .message(try composer.compose(input, now: clock()))
        } catch {
            let outcome = JobOutcome(jobID: job.jobID, state: .failed, reply: "cannot compose: \(error.message)", lease: job.leaseUntil)
            return .finished(outcome, JobOutcomeSummary(state: .failed, reason: nil))
        }
    }

    /// What the committed state says against sending this job now: skipped (and why), deferred when the store
    /// cannot be read, or nil when it may go.
    func refusal(of job: ClaimedJob, reader: Result<any SendPermissionReader, StorageError>)
        -> (outcome: JobOutcome, summary: JobOutcomeSummary, verdict: DeliveryVerdict?)? {
        func skip(_ reason: String) -> (JobOutcome, JobOutcomeSummary, DeliveryVerdict?) {
            (JobOutcome(jobID: job.jobID, state: .skipped, reply: reason, lease: job.leaseUntil), JobOutcomeSummary(state: .skipped, reason: reason), nil)
        }
        let purpose = job.kind.purpose
        let permission: SendPermission
        do {
            permission = try reader.get().permission(recipientID: job.recipientID, purpose: purpose, campaignID: job.campaignID)
        } catch {
            let outcome = retry.outcome(of: .notDelivered(reason: error.description), for: job, now: clock(), jitter: Double.random(in: 0..<1))
            return (outcome, JobOutcomeSummary(state: outcome.state, reason: nil), nil)
        }
        if job.kind == .confirmation {
            // Its request was confirmed, expired or erased since the claim.
            guard permission.recipientExists, permission.registrationWaiting else { return skip("nothing waits for confirmation") }
        } else {
            guard permission.recipientExists, !permission.registrationWaiting else { return skip("recipient erased") }
        }
        if permission.campaignCancelled { return skip("campaign cancelled") }
        // The confirmation a person just asked for goes even to an address they once erased or unsubscribed from
        // everything: following its link is how they come back. Bounces, complaints and operators still stop it.
        // A policy notice is not marketing: unsubscribing from everything does not stop it (`sentDespite`).
        if let reason = permission.suppressionReason, !job.kind.sentDespite.contains(reason),
           !(job.kind == .confirmation && ConsentService.liftedByExplicitConsent.contains(reason)) {
            return skip("address suppressed (\(reason.rawValue))")
        }
        if let purpose, permission.consentGranted != true { return skip("no \(purpose.rawValue) consent") }
        return nil
    }

    /// The last-moment check, then the hand-off to SMTP.
    func deliver(_ job: ClaimedJob, _ message: MessageComposer.Composed, with sender: any MessageSender,
                 reader: Result<any SendPermissionReader, StorageError>) -> (outcome: JobOutcome, summary: JobOutcomeSummary, verdict: DeliveryVerdict?) {
        if let refused = refusal(of: job, reader: reader) { return refused }
        let started = ContinuousClock.now
        let verdict = sender.send(message, job: job.jobID, campaign: job.campaignID)
        let took = (ContinuousClock.now - started).components
        replyTimer.recordNanoseconds(took.seconds * 1_000_000_000 + took.attoseconds / 1_000_000_000)
        let outcome = retry.outcome(of: verdict, for: job, now: clock(), jitter: Double.random(in: 0..<1))
        return (outcome, JobOutcomeSummary(state: outcome.state, reason: nil), verdict)
    }
}

/// A thread that can be waited for. Its name shows in `top -H`, `ps -L` and profiles.
final class SenderThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [finished] in
            // Set from inside: Foundation on Linux names only a running thread, and Linux drops a name over 15 bytes.
            Thread.current.name = name
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
    let journal: AcceptedJournal.Writer?
    init(_ sender: any MessageSender, journal: AcceptedJournal.Writer?) {
        self.sender = sender
        self.journal = journal
    }
}
