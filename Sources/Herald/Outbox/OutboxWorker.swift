import Foundation
import Rendering
import Storage
import Synchronization

/// The send loop: start due campaigns, lease a batch of outbox jobs, send them over `parallelism`
/// connections, record the outcomes in one transaction, repeat.
///
/// Right before each message goes to the transport, the recipient's consent and the suppression list are
/// read again: a withdrawal committed before that moment means `skipped`, never sent. A crash between the
/// lease and the record leaves the batch leased; once the lease expires the jobs are claimed again, so at
/// most the messages in flight at the crash are sent twice.
public final class OutboxWorker: Sendable {
    public struct Options: Sendable {
        /// Jobs leased per round trip to the database.
        public var batchSize: Int
        /// How long a claimed job stays ours; it must outlast a whole batch on a slow server.
        public var lease: Duration
        /// `--until-idle`: return when nothing is due within this horizon.
        public var idleHorizon: Duration
        /// Longest sleep between looks at the database when waiting.
        public var pollInterval: Duration

        public init(batchSize: Int = 128, lease: Duration = .seconds(600), idleHorizon: Duration = .seconds(60), pollInterval: Duration = .seconds(1)) {
            self.batchSize = batchSize
            self.lease = lease
            self.idleHorizon = idleHorizon
            self.pollInterval = pollInterval
        }
    }

    let store: HeraldStore
    let composer: MessageComposer
    let transport: any MailTransport
    let retry: RetryPolicy
    let options: Options
    let clock: @Sendable () -> Date
    private let stopRequested = Atomic<Bool>(false)

    public init(store: HeraldStore, composer: MessageComposer, transport: any MailTransport, retry: RetryPolicy,
                options: Options = Options(), clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.composer = composer
        self.transport = transport
        self.retry = retry
        self.options = options
        self.clock = clock
    }

    /// Asks the loop to finish the batch in flight and return. Safe from any thread or a signal handler's queue.
    public func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    /// Runs until stopped, or with `untilIdle` until nothing is due within the idle horizon.
    public func run(untilIdle: Bool, progress: (@Sendable (WorkerProgress) -> Void)? = nil) throws(HeraldError) -> WorkerProgress {
        let started = clock()
        var totals = WorkerProgress()
        var senders: [any MessageSender] = []
        for _ in 0..<max(1, transport.parallelism) { senders.append(try transport.makeSender()) }

        while !stopRequested.load(ordering: .relaxed) {
            let now = clock()
            let startedCampaigns = try storage { () throws(StorageError) in
                try store.startDueCampaigns(now: now, audience: CampaignService.audience(of:))
            }
            totals.campaignsStarted += startedCampaigns.count
            totals.queued += startedCampaigns.reduce(0) { $0 + $1.1 }

            let jobs = try storage { () throws(StorageError) in
                try store.claimJobs(now: now, limit: options.batchSize, leaseUntil: now.addingTimeInterval(options.lease.seconds))
            }
            if jobs.isEmpty {
                guard let wake = try storage({ () throws(StorageError) in try store.nextWakeUp() }) else {
                    if untilIdle { break }
                    sleep(options.pollInterval)
                    continue
                }
                let wait = wake.timeIntervalSince(clock())
                if untilIdle, wait > options.idleHorizon.seconds { break }
                sleep(.milliseconds(Int64(min(max(wait, 0.02), options.pollInterval.seconds) * 1000)))
                continue
            }

            let round = deliver(jobs, senders: senders)
            try storage { () throws(StorageError) in try store.record(round.outcomes.map(\.outcome), now: clock()) }
            try storage { () throws(StorageError) in try store.release(jobIDs: round.unattempted) }
            for item in round.outcomes { totals.count(item.summary) }
            totals.elapsedSeconds = clock().timeIntervalSince(started)
            progress?(totals)
            if let fatal = round.fatalFailure {
                throw HeraldError(.unavailable, "cannot deliver to \(transport.destination): \(fatal)")
            }
        }
        totals.elapsedSeconds = clock().timeIntervalSince(started)
        return totals
    }

    private func sleep(_ duration: Duration) {
        Thread.sleep(forTimeInterval: duration.seconds)
    }

    struct Round {
        var outcomes: [(outcome: JobOutcome, summary: JobOutcomeSummary)] = []
        var unattempted: [Int64] = []
        var fatalFailure: String?
    }

    /// Spreads the batch over the senders, each on its own thread (libcurl blocks; the Swift concurrency
    /// pool must not). A sender whose destination failed as a whole stops taking jobs.
    private func deliver(_ jobs: [ClaimedJob], senders: [any MessageSender]) -> Round {
        let state = Mutex((next: 0, round: Round()))
        let box = SenderBox(senders)
        DispatchQueue.concurrentPerform(iterations: box.senders.count) { index in
            let sender = box.senders[index]
            var generator = SystemRandomNumberGenerator()
            while true {
                let job: ClaimedJob? = state.withLock { shared in
                    guard shared.round.fatalFailure == nil, shared.next < jobs.count else { return nil }
                    defer { shared.next += 1 }
                    return jobs[shared.next]
                }
                guard let job else { return }
                let result = attempt(job, with: sender, jitter: Double.random(in: 0..<1, using: &generator))
                state.withLock { shared in
                    if sender.lastFailureWasFatal {
                        if shared.round.fatalFailure == nil, case .notDelivered(let reason) = result.verdict { shared.round.fatalFailure = reason }
                        shared.round.unattempted.append(job.jobID)
                    } else {
                        shared.round.outcomes.append((result.outcome, result.summary))
                    }
                }
                if sender.lastFailureWasFatal { return }
            }
        }
        return state.withLock { shared in
            var round = shared.round
            round.unattempted += jobs[shared.next...].map(\.jobID)
            return round
        }
    }

    private func attempt(_ job: ClaimedJob, with sender: any MessageSender, jitter: Double) -> (outcome: JobOutcome, summary: JobOutcomeSummary, verdict: DeliveryVerdict?) {
        func skip(_ reason: String) -> (JobOutcome, JobOutcomeSummary, DeliveryVerdict?) {
            (JobOutcome(jobID: job.jobID, state: .skipped, reply: reason), JobOutcomeSummary(state: .skipped, reason: reason), nil)
        }
        guard let kind = CampaignKind(rawValue: job.kind) else { return skip("unknown campaign kind \(job.kind)") }
        // The last-moment check: committed state, read right before the hand-off.
        let permission: SendPermission
        do { permission = try store.sendPermission(recipientID: job.recipientID, purpose: kind.purpose?.rawValue) } catch {
            let outcome = retry.outcome(of: .notDelivered(reason: error.description), for: job, now: clock(), jitter: jitter)
            return (outcome, JobOutcomeSummary(state: outcome.state, reason: nil), nil)
        }
        guard permission.recipientExists else { return skip("recipient erased") }
        if let reason = permission.suppressionReason { return skip("address suppressed (\(reason))") }
        if let purpose = kind.purpose, permission.consentGranted != true { return skip("no \(purpose.rawValue) consent") }

        let composed: MessageComposer.Composed
        do {
            composed = try composer.compose(.init(kind: kind, template: job.template, campaignName: job.campaignName,
                                                  recipientID: job.recipientID, email: job.email, name: job.name,
                                                  products: job.products), now: clock())
        } catch {
            let outcome = JobOutcome(jobID: job.jobID, state: .failed, reply: "cannot compose: \(error.message)")
            return (outcome, JobOutcomeSummary(state: .failed, reason: nil), nil)
        }
        let verdict = sender.send(composed, job: job.jobID, campaign: job.campaignID)
        let outcome = retry.outcome(of: verdict, for: job, now: clock(), jitter: jitter)
        return (outcome, JobOutcomeSummary(state: outcome.state, reason: nil), verdict)
    }
}

/// Senders are used by exactly one thread each inside `deliver`; the box only carries them there.
private final class SenderBox: @unchecked Sendable {
    let senders: [any MessageSender]
    init(_ senders: [any MessageSender]) { self.senders = senders }
}
