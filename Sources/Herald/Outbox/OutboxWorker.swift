import Foundation
import Logging
import Metrics
import Rendering
import Store
import Synchronization

/// The send loop. One coordinator (the caller's thread) starts due campaigns, claims jobs in batches, hands them
/// to `parallelism` sender threads through a `DeliveryQueue`, and records their outcomes in batched
/// transactions, all while the senders keep sending: database work and SMTP overlap instead of taking turns.
///
/// Each sender composes its message; then, right before it goes to the transport, the recipient's consent, the
/// suppression list and the campaign's status are read again: a withdrawal committed before that moment means
/// `skipped`, never sent. A crash between claim and record leaves jobs leased; a restarted worker takes back at
/// once those of a worker that is gone (`reclaimAbandoned`), and any other worker once the lease expires, so at
/// most the messages in flight are sent twice.
///
/// When the destination fails as a whole (unreachable, TLS, AUTH, session refused), the jobs not yet tried go
/// back untouched; `--until-idle` then stops with exit 69, the long-running worker waits and tries again.
public final class OutboxWorker: Sendable {
    public struct Options: Sendable {
        /// Jobs claimed per round trip to the database, and outcomes recorded per transaction (at most).
        public var batchSize: Int
        /// How long a claimed job stays ours; it must outlast the queue wait and the send on a slow server.
        public var lease: Duration
        /// `--until-idle`: return when nothing is due within this horizon.
        public var idleHorizon: Duration
        /// Longest sleep between looks at the database when waiting.
        public var pollInterval: Duration
        /// How long the long-running worker waits after the destination failed as a whole.
        public var outageBackoff: Duration
        /// `smtp.rate`: messages per second across all connections; 0 is unlimited.
        public var rate: Double
        /// `smtp.domain_concurrency`: messages in flight at once to one recipient domain.
        public var domainConcurrency: Int
        /// How long a recipient domain rests after a rate-limit reply (421, or 4.7.x such as Gmail's 4.7.28).
        public var rateLimitPause: Duration
        /// The folder of the send journal (see `AcceptedJournal`); nil for none.
        public var journalDirectory: String?
        /// `outbox.journal_sync`: flush each journal line to disk, so a power loss too duplicates at most one
        /// message per connection.
        public var journalSync = false
        /// How often the worker says it runs, takes back the jobs of workers that are gone, and reads the
        /// fleet's domain pauses.
        public var heartbeat: Duration = .seconds(5)
        /// A worker on another machine that has not beaten for this long is gone: its jobs are taken back.
        public var staleAfter: Duration = .seconds(30)
        /// `register.send_share`: the part of each claimed batch confirmation mails take while campaigns wait,
        /// and keep while campaigns flood (`ClaimShare`).
        public var confirmationShare = ClaimShare.defaultConfirmationShare

        public init(batchSize: Int = 32, lease: Duration = .seconds(600), idleHorizon: Duration = .seconds(60),
                    pollInterval: Duration = .seconds(1), outageBackoff: Duration = .seconds(30), rate: Double = 0,
                    domainConcurrency: Int = 20, rateLimitPause: Duration = .seconds(60)) {
            self.batchSize = batchSize
            self.lease = lease
            self.idleHorizon = idleHorizon
            self.pollInterval = pollInterval
            self.outageBackoff = outageBackoff
            self.rate = rate
            self.domainConcurrency = domainConcurrency
            self.rateLimitPause = rateLimitPause
        }

        /// Batches of 32 messages per connection (fewer when `rate` would take over ten seconds to send them),
        /// and a lease that outlasts two batches even if every message takes the full connect and transfer timeouts.
        public static func sized(parallelism: Int, perMessageTimeout: Duration, rate: Double = 0) -> Options {
            var batch = max(32 * parallelism, 32)
            if rate > 0 { batch = max(1, min(batch, Int(rate * 10))) }
            let rounds = 2 * ((batch + parallelism - 1) / parallelism)
            let queueWait = rate > 0 ? Double(2 * batch) / rate : 0
            let lease = max(.seconds(600), perMessageTimeout * rounds * 2 + .seconds(queueWait))
            return Options(batchSize: batch, lease: lease, rate: rate)
        }
    }

    /// The outbox, the campaigns it starts when they fall due, the registrations it deletes unconfirmed, and
    /// the fleet it shares them with.
    let store: any OutboxStore & CampaignStore & PendingRegistrationStore & PolicyStore & FleetStore
    let composer: MessageComposer
    let transport: any MailTransport
    let retry: RetryPolicy
    let options: Options
    let clock: @Sendable () -> Date
    let rateLimiter: RateLimiter
    /// SMTP reply latency (`herald_smtp_reply_seconds`), shared by the senders.
    let replyTimer = HeraldMetrics.smtpReply()
    /// Names this worker's leases: a later worker on this machine can tell whether it still runs.
    let leaseOwner = "pid:\(getpid()):\(UInt64.random(in: 1...UInt64.max))"
    let stopRequested = Atomic<Bool>(false)
    /// Where the senders note what the server accepted before it is committed (nil: no journal, as in tests
    /// that do not crash).
    let journal: AcceptedJournal?

    public init(store: any OutboxStore & CampaignStore & PendingRegistrationStore & PolicyStore & FleetStore, composer: MessageComposer, transport: any MailTransport, retry: RetryPolicy,
                options: Options = Options(), clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.composer = composer
        self.transport = transport
        self.retry = retry
        self.options = options
        self.clock = clock
        // One schedule for the whole fleet: the store hands out blocks of a tenth of a second's slots.
        self.rateLimiter = RateLimiter(perSecond: options.rate) { [store] (count, interval) throws(StorageError) in
            try store.reserveSendSlots(count: count, interval: interval)
        }
        let owner = leaseOwner
        self.journal = options.journalDirectory.map { AcceptedJournal(directory: $0, owner: owner, synchronous: options.journalSync) }
    }

    /// Asks the loop to finish the messages in flight, give back the rest and return. Safe from any thread.
    public func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    var isStopping: Bool { stopRequested.load(ordering: .relaxed) }

    /// Runs until stopped, or with `untilIdle` until nothing is due within the idle horizon.
    /// `logger` gets what an operator needs to follow the worker: start, campaigns started, work taken back from
    /// a worker that died, an outage and the wait after it (warning), batches (debug). At no level does a line
    /// carry an address, a name, a token, a reply text or a secret: ids and counts only.
    public func run(untilIdle: Bool, progress: (@Sendable (WorkerProgress) -> Void)? = nil,
                    logger: Logger = Logger(label: "herald.worker")) throws(HeraldError) -> WorkerProgress {
        var totals = WorkerProgress()
        let started = clock()
        logger.info("worker started", metadata: ["connections": "\(transport.parallelism)", "batch": "\(options.batchSize)",
                                                 "owner": "\(leaseOwner)"])
        // Beats from a thread of its own, so a long campaign start or a slow shutdown never looks like death.
        let heartbeat = Heartbeat(every: options.heartbeat) { [store, leaseOwner, clock] in
            try? store.heartbeat(owner: leaseOwner, host: WorkerFleet.host, now: clock())
        }
        try storage { () throws(StorageError) in try store.heartbeat(owner: leaseOwner, host: WorkerFleet.host, now: started) }
        defer { heartbeat.stop() }
        while !isStopping {
            let end = try session(untilIdle: untilIdle, started: started, totals: &totals, progress: progress, logger: logger)
            guard let fatal = end else { break }
            let message = "cannot deliver to \(transport.destination): \(fatal)"
            if untilIdle { throw HeraldError(.unavailable, message) }
            logger.warning("\(message); trying again in \(Int(options.outageBackoff.seconds)) s")
            waitUnlessStopped(options.outageBackoff)
        }
        logger.info("worker stopped", metadata: ["sent": "\(totals.sent)", "deferred": "\(totals.deferred)", "bounced": "\(totals.bounced)",
                                                 "skipped": "\(totals.skipped)", "failed": "\(totals.failed)"])
        totals.elapsedSeconds = clock().timeIntervalSince(started)
        // Every outcome is committed: nothing in this worker's journal is needed any more.
        journal?.removeFiles()
        heartbeat.stop()
        try storage { () throws(StorageError) in try store.signOff(owner: leaseOwner, now: clock()) }
        return totals
    }

    /// Folds the send journals of workers that are gone into the outbox (what their servers accepted becomes
    /// `sent`), then takes back the rest of their jobs, in one transaction; then the journals can go.
    @discardableResult
    func takeBackAbandoned(now: Date, logger: Logger) throws(HeraldError) -> WorkerFleet {
        let presences = try storage { () throws(StorageError) in try store.workers(since: now.addingTimeInterval(-86_400)) }
        let fleet = WorkerFleet(presences, now: now, staleAfter: options.staleAfter.seconds)
        let journals = journal.map { AcceptedJournal.abandoned(in: $0.directory, isAlive: fleet.ranHereIsAlive) } ?? []
        let deadHere = Set(journals.map(\.owner))
        var accepted: [String: [JobOutcome]] = [:]
        for abandoned in journals {
            accepted[abandoned.owner] = abandoned.accepted.map {
                JobOutcome(jobID: $0.jobID, state: .sent, code: $0.code, enhancedStatus: $0.enhancedStatus, reply: $0.reply)
            }
        }
        let taken = try storage { () throws(StorageError) in
            try store.reclaimAbandoned(now: now, isAlive: { !deadHere.contains($0) && fleet.isAlive($0) }, accepted: accepted)
        }
        for path in journals.flatMap(\.paths) { unlink(path) }
        if taken.recorded > 0 {
            logger.notice("recorded \(taken.recorded) messages as sent that a worker that stopped had delivered but not yet recorded")
        }
        if taken.reclaimed > 0 { logger.notice("took back \(taken.reclaimed) messages left in flight by a worker that stopped") }
        return fleet
    }

    /// One stretch of sending with one set of connections: until idle (with `untilIdle`), stopped, or the
    /// destination failed as a whole (returned).
    private func session(untilIdle: Bool, started: Date, totals: inout WorkerProgress,
                         progress: (@Sendable (WorkerProgress) -> Void)?, logger: Logger) throws(HeraldError) -> String? {
        let queue = DeliveryQueue(domainConcurrency: options.domainConcurrency)
        let senders = try startSenders(queue)
        var outcomes: [JobOutcome] = []
        var marks: [AcceptedJournal.Mark] = []
        // Intervals between the worker's own actions run on a monotonic clock; `clock` gives the times stored.
        let monotonic = ContinuousClock()
        var lastCommit = monotonic.now
        var lastCampaignLook = Date.distantPast
        var lastSweep = Date.distantPast
        var lastBeat: ContinuousClock.Instant?
        // Word of new work from the store (PostgreSQL's LISTEN), so an idle worker starts at once; without it
        // (SQLite, or the listener's connection failing) the worker polls.
        let listener = try? store.makeWorkListener()

        func commit(_ results: [SendResult]) throws(HeraldError) {
            var release: [ClaimedJob] = []
            var postpone: [(ClaimedJob, Date)] = []
            for result in results {
                switch result {
                case .done(let outcome, let summary, let mark):
                    outcomes.append(outcome)
                    if let mark { marks.append(mark) }
                    totals.count(summary)
                case .unattempted(let job): release.append(job)
                case .postponed(let job, let until): postpone.append((job, until))
                }
            }
            try storage { () throws(StorageError) in try store.release(release) }
            try storage { () throws(StorageError) in try store.postpone(postpone.map { (job: $0.0, until: $0.1) }) }
            guard !outcomes.isEmpty, outcomes.count >= options.batchSize || monotonic.now - lastCommit >= .milliseconds(250) || results.isEmpty else { return }
            let batch = outcomes, journaled = marks
            outcomes = []
            marks = []
            try storage { () throws(StorageError) in try store.record(batch, now: clock()) }
            HeraldMetrics.countMessages(batch.reduce(into: [:]) { $0[$1.state, default: 0] += 1 })
            logger.debug("recorded a batch", metadata: ["outcomes": "\(batch.count)", "released": "\(release.count)", "postponed": "\(postpone.count)"])
            for mark in journaled { mark.writer.committed(through: mark.sequence) }
            lastCommit = monotonic.now
            totals.elapsedSeconds = clock().timeIntervalSince(started)
            progress?(totals)
        }

        do {
            while !isStopping, queue.fatalFailure == nil {
                let now = clock()
                if lastBeat.map({ monotonic.now - $0 >= options.heartbeat }) ?? true {
                    lastBeat = monotonic.now
                    try beat(queue, now: now, logger: logger)
                }
                if now.timeIntervalSince(lastCampaignLook) >= options.pollInterval.seconds {
                    lastCampaignLook = now
                    let policies = try storage { () throws(StorageError) in try store.policyVersions() }
                    let startedCampaigns = try storage { () throws(StorageError) in
                        try store.startDueCampaigns(now: now) { [composer] in CampaignService.start($0, composer: composer, policies: policies, now: now) }
                    }
                    totals.campaignsStarted += startedCampaigns.count
                    totals.queued += startedCampaigns.reduce(0) { $0 + $1.jobs }
                    if now.timeIntervalSince(lastSweep) >= 3600 {
                        lastSweep = now
                        let deleted = try storage { () throws(StorageError) in try store.deleteUnconfirmed(before: now.addingTimeInterval(-DoubleOptIn.window)) }
                        if deleted > 0 { logger.info("deleted unconfirmed registrations", metadata: ["count": "\(deleted)"]) }
                    }
                    for (campaign, jobs) in startedCampaigns {
                        if campaign.status == .failed {
                            // The problem names a template file and line, never a person.
                            logger.error("campaign failed before its first message", metadata: [
                                "campaign": "\(campaign.id ?? 0)", "problem": "\(campaign.problem ?? "")"])
                            continue
                        }
                        logger.info("campaign started", metadata: ["campaign": "\(campaign.id ?? 0)", "kind": "\(campaign.kind)", "queued": "\(jobs)"])
                    }
                }
                // Keep about two batches ahead of the senders.
                var claimed = 0
                if queue.outstanding < options.batchSize {
                    let lease = now.addingTimeInterval(options.lease.seconds)
                    let jobs = try storage { () throws(StorageError) in
                        try store.claimJobs(now: now, limit: options.batchSize, leaseUntil: lease, owner: leaseOwner,
                                            confirmationShare: options.confirmationShare)
                    }
                    claimed = jobs.count
                    queue.add(jobs, now: now)
                    if claimed > 0 { logger.debug("claimed jobs", metadata: ["jobs": "\(claimed)"]) }
                }
                let busy = claimed > 0 || queue.outstanding > 0
                // Woken by a quarter batch of results, or after 50 ms: soon enough to claim the next batch
                // (the next claim starts while a whole batch is still outstanding) and to give back postponed jobs.
                let results = queue.takeResults(waitingUpTo: busy ? 0.05 : 0, atLeast: max(1, options.batchSize / 4))
                try commit(results)
                if busy || !results.isEmpty { continue }

                // Nothing in hand: flush what is left, then wait for the next due job, or stop when idle.
                try commit([])
                guard let wake = try storage({ () throws(StorageError) in try store.nextWakeUp() }) else {
                    if untilIdle { break }
                    waitForWork(listener, options.pollInterval)
                    continue
                }
                let wait = wake.timeIntervalSince(clock())
                if untilIdle, wait > options.idleHorizon.seconds { break }
                waitForWork(listener, .milliseconds(Int64(min(max(wait, 0.02), options.pollInterval.seconds) * 1000)))
                lastCampaignLook = .distantPast
            }
        } catch {
            // A database failure: stop the senders, keep what they finished, and report the failure.
            _ = queue.close()
            senders.forEach { $0.join() }
            try? commit(queue.takeResults(waitingUpTo: 0))
            throw error
        }
        // Stopping, idle, or the destination failed: nobody takes another job; those in flight finish.
        let untaken = queue.close()
        senders.forEach { $0.join() }
        try commit(queue.takeResults(waitingUpTo: 0) + untaken.map { .unattempted($0) })
        try commit([])
        return queue.fatalFailure
    }

    /// Takes back the jobs of workers that are gone, and applies the fleet's limits to
    /// this worker's queue: the domains another worker was told to leave alone, and a share of each domain's
    /// concurrency (`smtp.domain_concurrency` is for the fleet, split among the workers sending now).
    private func beat(_ queue: DeliveryQueue, now: Date, logger: Logger) throws(HeraldError) {
        let fleet = try takeBackAbandoned(now: now, logger: logger)
        queue.setDomainConcurrency(max(1, options.domainConcurrency / max(1, fleet.liveCount)))
        for (domain, until) in try storage({ () throws(StorageError) in try store.pausedDomains(now: now) }) {
            queue.pause(domain: domain, until: until)
        }
    }

    /// Like `waitUnlessStopped`, but woken early by word of new work.
    func waitForWork(_ listener: (any WorkListener)?, _ duration: Duration) {
        guard let listener else { return waitUnlessStopped(duration) }
        let clock = ContinuousClock()
        let end = clock.now + duration
        while !isStopping, clock.now < end {
            let step = min(0.05, max(0, (end - clock.now).seconds))
            do {
                if try listener.waitForWork(seconds: step) { return }
            } catch {
                Thread.sleep(forTimeInterval: step)
            }
        }
    }

    func waitUnlessStopped(_ duration: Duration) {
        let clock = ContinuousClock()
        let end = clock.now + duration
        while !isStopping, clock.now < end {
            Thread.sleep(forTimeInterval: min(0.05, max(0, (end - clock.now).seconds)))
        }
    }

    /// `pid:<n>:<random>` runs while process n exists (on this machine); an owner in another form is never
    /// taken for dead.
    static func processIsAlive(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":")
        guard parts.count == 3, parts[0] == "pid", let pid = pid_t(parts[1]) else { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
