import Foundation
import Rendering
import Storage
import Synchronization

/// The send loop: start due campaigns, lease a batch of outbox jobs, send them over `parallelism`
/// connections, record the outcomes in one transaction, repeat.
///
/// Each message is composed first; then, right before it goes to the transport, the recipient's consent and
/// the suppression list are read again: a withdrawal committed before that moment means `skipped`, never
/// sent. A crash between the lease and the record leaves the batch leased; once the lease expires the jobs
/// are claimed again, so at most one batch (a few messages per connection) is sent twice.
///
/// When the destination fails as a whole (unreachable, TLS, AUTH, session refused), the jobs not yet tried
/// go back untouched; `--until-idle` then stops with exit 69, the long-running worker waits and tries again.
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

        /// How long the long-running worker waits after the destination failed as a whole.
        public var outageBackoff: Duration

        public init(batchSize: Int = 32, lease: Duration = .seconds(600), idleHorizon: Duration = .seconds(60),
                    pollInterval: Duration = .seconds(1), outageBackoff: Duration = .seconds(30)) {
            self.batchSize = batchSize
            self.lease = lease
            self.idleHorizon = idleHorizon
            self.pollInterval = pollInterval
            self.outageBackoff = outageBackoff
        }

        /// A batch of 8 messages per connection, and a lease that outlasts the batch even if every message
        /// in it takes the full connect and transfer timeouts.
        public static func sized(parallelism: Int, perMessageTimeout: Duration) -> Options {
            let batch = max(8 * parallelism, 16)
            let rounds = (batch + parallelism - 1) / parallelism
            return Options(batchSize: batch, lease: max(.seconds(600), perMessageTimeout * rounds * 2))
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
    /// `log` receives operational events (an outage and the wait after it); never addresses or secrets.
    public func run(untilIdle: Bool, progress: (@Sendable (WorkerProgress) -> Void)? = nil,
                    log: (@Sendable (String) -> Void)? = nil) throws(HeraldError) -> WorkerProgress {
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

            let lease = now.addingTimeInterval(options.lease.seconds)
            let jobs = try storage { () throws(StorageError) in
                try store.claimJobs(now: now, limit: options.batchSize, leaseUntil: lease)
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
            try storage { () throws(StorageError) in try store.record(round.outcomes.map(\.outcome), lease: lease, now: clock()) }
            try storage { () throws(StorageError) in try store.release(jobIDs: round.unattempted, lease: lease) }
            for item in round.outcomes { totals.count(item.summary) }
            totals.elapsedSeconds = clock().timeIntervalSince(started)
            progress?(totals)
            if let fatal = round.fatalFailure {
                let message = "cannot deliver to \(transport.destination): \(fatal)"
                if untilIdle { throw HeraldError(.unavailable, message) }
                log?("\(message); trying again in \(Int(options.outageBackoff.seconds)) s")
                waitUnlessStopped(options.outageBackoff)
            }
        }
        totals.elapsedSeconds = clock().timeIntervalSince(started)
        return totals
    }

    private func sleep(_ duration: Duration) {
        Thread.sleep(forTimeInterval: duration.seconds)
    }

    private func waitUnlessStopped(_ duration: Duration) {
        let end = Date().addingTimeInterval(duration.seconds)
        while !stopRequested.load(ordering: .relaxed), Date() < end {
            Thread.sleep(forTimeInterval: min(0.2, end.timeIntervalSinceNow))
        }
    }

    struct Round {
        var outcomes: [(outcome: JobOutcome, summary: JobOutcomeSummary)] = []
        var unattempted: [Int64] = []
        var fatalFailure: String?
    }

    /// Spreads the batch over the senders, each on a thread of its own: libcurl blocks, and the Swift
    /// concurrency pool (or `concurrentPerform`, which runs one thread per core) must not cap the number of
    /// open connections. A sender whose destination failed as a whole stops taking jobs.
    private func deliver(_ jobs: [ClaimedJob], senders: [any MessageSender]) -> Round {
        let state = Mutex((next: 0, round: Round()))
        let box = SenderBox(senders)
        let group = DispatchGroup()
        for index in box.senders.indices {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
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
                    let fatal = sender.lastFailureWasFatal
                    state.withLock { shared in
                        if fatal {
                            if shared.round.fatalFailure == nil, case .notDelivered(let reason)? = result.verdict { shared.round.fatalFailure = reason }
                            shared.round.unattempted.append(job.jobID)
                        } else {
                            shared.round.outcomes.append((result.outcome, result.summary))
                        }
                    }
                    if fatal { return }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
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
        let composed: MessageComposer.Composed
        do {
            composed = try composer.compose(.init(kind: kind, template: job.template, campaignName: job.campaignName,
                                                  recipientID: job.recipientID, email: job.email, name: job.name,
                                                  products: job.products), now: clock())
        } catch {
            let outcome = JobOutcome(jobID: job.jobID, state: .failed, reply: "cannot compose: \(error.message)")
            return (outcome, JobOutcomeSummary(state: .failed, reason: nil), nil)
        }
        // The last-moment check, after composing (which takes time) and right before the hand-off.
        let permission: SendPermission
        do { permission = try store.sendPermission(recipientID: job.recipientID, purpose: kind.purpose?.rawValue) } catch {
            let outcome = retry.outcome(of: .notDelivered(reason: error.description), for: job, now: clock(), jitter: jitter)
            return (outcome, JobOutcomeSummary(state: outcome.state, reason: nil), nil)
        }
        guard permission.recipientExists else { return skip("recipient erased") }
        if let reason = permission.suppressionReason { return skip("address suppressed (\(reason))") }
        if let purpose = kind.purpose, permission.consentGranted != true { return skip("no \(purpose.rawValue) consent") }

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
