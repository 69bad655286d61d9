import Foundation
import Store

/// What a sender thread reports about one claimed job.
enum SendResult {
    /// Attempted (or skipped at the last moment): the outcome to record, and its line in the send journal
    /// when the server accepted it.
    case done(JobOutcome, JobOutcomeSummary, AcceptedJournal.Mark? = nil)
    /// Never attempted: give the job back as it was.
    case unattempted(ClaimedJob)
    /// Never attempted, and not to be tried before `until` (its domain asked us to slow down).
    case postponed(ClaimedJob, until: Date)
}

/// The jobs between the coordinator and the sender threads, and the results coming back.
///
/// A sender takes the oldest job whose recipient domain is below its concurrency cap and not paused; a domain
/// that answered with a rate-limit reply is paused, and its waiting jobs come back as `postponed`. Closing the
/// queue stops the hand-out at once; jobs already taken finish. One lock (a condition) guards it all: every
/// operation is a few array steps, far below the cost of the message each one moves.
final class DeliveryQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [ClaimedJob] = []
    private var inFlight: [String: Int] = [:]
    private var inFlightTotal = 0
    private var pausedUntil: [String: Date] = [:]
    private var results: [SendResult] = []
    private var closed = false
    /// Who is waiting, so that a finished job wakes the coordinator only once it has enough results to be
    /// worth a look, rather than once per message: on two cores every needless wake-up is felt.
    private var takersWaiting = 0
    private var resultsWanted = Int.max
    private var firstFatalFailure: String?
    private var domainConcurrency: Int

    init(domainConcurrency: Int) {
        self.domainConcurrency = max(1, domainConcurrency)
    }

    /// This worker's share of each domain's concurrency, as the fleet's size changes.
    func setDomainConcurrency(_ limit: Int) {
        condition.lock()
        defer { condition.unlock() }
        let raised = limit > domainConcurrency
        domainConcurrency = max(1, limit)
        if raised { condition.broadcast() }
    }

    /// Why the destination failed as a whole, once a sender said so.
    var fatalFailure: String? {
        condition.lock()
        defer { condition.unlock() }
        return firstFatalFailure
    }

    /// Jobs waiting or being sent: the coordinator claims more when this runs low.
    var outstanding: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count + inFlightTotal
    }

    /// Queues claimed jobs; those for a paused domain go straight back as postponed.
    func add(_ jobs: [ClaimedJob], now: Date) {
        condition.lock()
        defer { condition.unlock() }
        for job in jobs {
            if let until = pausedUntil[job.domain], until > now {
                results.append(.postponed(job, until: until))
            } else {
                pending.append(job)
            }
        }
        condition.broadcast()
    }

    /// Blocks until a job can go out; nil once the queue is closed. The job counts against its domain's cap
    /// from here until `finish`: composing it is part of being in flight.
    func take() -> ClaimedJob? {
        condition.lock()
        defer { condition.unlock() }
        while !closed {
            if let index = pending.firstIndex(where: { inFlight[$0.domain, default: 0] < domainConcurrency }) {
                let job = pending.remove(at: index)
                inFlight[job.domain, default: 0] += 1
                inFlightTotal += 1
                return job
            }
            takersWaiting += 1
            condition.wait()
            takersWaiting -= 1
        }
        return nil
    }

    /// A sender is done with a job it took.
    func finish(_ job: ClaimedJob, _ result: SendResult) {
        condition.lock()
        defer { condition.unlock() }
        inFlight[job.domain, default: 1] -= 1
        if inFlight[job.domain] == 0 { inFlight[job.domain] = nil }
        inFlightTotal -= 1
        results.append(result)
        if takersWaiting > 0 || results.count >= resultsWanted { condition.broadcast() }
    }

    /// The domain answered "slow down": nothing more goes there before `until`, and its waiting jobs come back.
    func pause(domain: String, until: Date) {
        condition.lock()
        defer { condition.unlock() }
        pausedUntil[domain] = max(until, pausedUntil[domain] ?? until)
        let (held, kept) = (pending.filter { $0.domain == domain }, pending.filter { $0.domain != domain })
        pending = kept
        results += held.map { .postponed($0, until: until) }
        condition.broadcast()
    }

    /// Until when `domain` is paused, if it is.
    func pausedUntil(domain: String, now: Date) -> Date? {
        condition.lock()
        defer { condition.unlock() }
        guard let until = pausedUntil[domain], until > now else { return nil }
        return until
    }

    /// The destination failed as a whole: stop handing out jobs; the first reason is kept.
    func fail(_ reason: String) {
        condition.lock()
        defer { condition.unlock() }
        if firstFatalFailure == nil { firstFatalFailure = reason }
        closed = true
        condition.broadcast()
    }

    /// Stops handing out jobs, and returns the ones nobody took.
    func close() -> [ClaimedJob] {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        let left = pending
        pending = []
        condition.broadcast()
        return left
    }

    /// Takes the results gathered so far, first waiting up to `timeout` until there are at least `wanted`.
    func takeResults(waitingUpTo timeout: TimeInterval, atLeast wanted: Int = 1) -> [SendResult] {
        condition.lock()
        defer { condition.unlock() }
        if results.count < wanted, timeout > 0 {
            // A real-time wait, which NSCondition takes as a wall-clock date; nothing stored depends on it.
            let deadline = Date(timeIntervalSinceNow: timeout)
            resultsWanted = wanted
            while results.count < wanted, !closed, condition.wait(until: deadline) {}
            resultsWanted = Int.max
        }
        let taken = results
        results = []
        return taken
    }
}
