import Foundation

/// The outbox: one job per recipient of a started campaign, claimed under a lease by a worker, and the
/// outcome of every attempt (the states and transitions are in `OutboxJob.swift`).
///
/// A backend shared by many workers must make `claimJobs` hand each job to one worker only (PostgreSQL:
/// `FOR UPDATE SKIP LOCKED`), and must write an outcome only while the job still holds the lease it was
/// claimed with, so a worker that lost its lease never writes over the one that holds it now.
public protocol OutboxStore: Sendable {
    /// Leases up to `limit` jobs of campaigns that are sending: first any whose lease expired, then those due
    /// (queued, or deferred with `next_attempt_at` passed), oldest first; each claim counts an attempt. `owner`
    /// names the claiming worker (see `reclaimAbandoned`). Of the due jobs, confirmation mails take at most
    /// `confirmationShare` of the batch while campaign jobs wait and keep at least that share while campaigns
    /// flood; either side with fewer due leaves the rest to the other (`ClaimShare`). Jobs come back ordered by id.
    func claimJobs(now: Date, limit: Int, leaseUntil: Date, owner: String,
                   confirmationShare: Double) throws(StorageError) -> [ClaimedJob]

    /// Records a batch of outcomes in one transaction: each job's state and reply, an attempt row each,
    /// suppressions for permanent refusals, and campaigns with nothing left to try become `done`. An outcome
    /// whose lease no longer holds is dropped.
    func record(_ outcomes: [JobOutcome], now: Date) throws(StorageError)

    /// Gives back claimed jobs never attempted, without counting the attempt (to `queued`, or `deferred` if an
    /// earlier attempt got a reply).
    func release(_ jobs: [ClaimedJob]) throws(StorageError)

    /// Like `release`, each not to be tried before its own time, in one transaction.
    func postpone(_ jobs: [(job: ClaimedJob, until: Date)]) throws(StorageError)

    /// Takes back at once the jobs leased by workers that are gone (`isAlive` says which owners still run), in
    /// one transaction: first those such a worker saw accepted (`accepted`, from its send journal, by owner)
    /// become `sent` with the server's reply; the rest go back to the queue with their attempt still counted.
    /// Returns how many were recorded and how many came back.
    func reclaimAbandoned(now: Date, isAlive: (String) -> Bool,
                          accepted: [String: [JobOutcome]]) throws(StorageError) -> (recorded: Int, reclaimed: Int)

    /// When there will next be something to do: the earliest due job, expired lease or scheduled campaign;
    /// nil when nothing is pending at all.
    func nextWakeUp() throws(StorageError) -> Date?

    /// Jobs in each state across every campaign (states with none are absent): the outbox's depth.
    func outboxDepth() throws(StorageError) -> [OutboxState: Int]

    /// A reader for the last-moment check, for one sender thread.
    func makePermissionReader() throws(StorageError) -> any SendPermissionReader
}

extension OutboxStore {
    /// A claim with `register.send_share`'s default share for confirmation mails.
    public func claimJobs(now: Date, limit: Int, leaseUntil: Date, owner: String) throws(StorageError) -> [ClaimedJob] {
        try claimJobs(now: now, limit: limit, leaseUntil: leaseUntil, owner: owner, confirmationShare: ClaimShare.defaultConfirmationShare)
    }

    /// Postpones these jobs until one time.
    public func postpone(_ jobs: [ClaimedJob], until: Date) throws(StorageError) {
        try postpone(jobs.map { (job: $0, until: until) })
    }
}

/// The last-moment check: one read of the committed state, made for each message right before it goes to
/// SMTP, so a revocation, a suppression, an erasure or a cancel committed by anyone a moment ago is seen.
/// It runs once per message on the send path, so a backend makes it as cheap as a single indexed read.
/// Not shared between threads: each sender makes its own.
public protocol SendPermissionReader: AnyObject {
    /// The recipient's consent for `purpose` (nil: none asked), whether the address is suppressed and why,
    /// and whether the campaign was cancelled.
    func permission(recipientID: Int64, purpose: Purpose?, campaignID: Int64) throws(StorageError) -> SendPermission
}
