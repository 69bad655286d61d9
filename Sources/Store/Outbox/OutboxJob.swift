import Foundation

/// One message to one recipient for one campaign: a row of the outbox, the queue between a campaign and SMTP.
///
/// States, and who moves a job between them (W = the worker's coordinator, S = a sender thread's outcome,
/// recorded by the coordinator; C = an operator's command):
///
///     (campaign starts, W) ──► queued ──claim (W)──► sending ──2xx (S)──► sent
///                                ▲  ▲                  │  │ │ └──5xx (S)──► bounced (address suppressed)
///                                │  │                  │  │ └──consent gone, suppressed, erased, cancelled (S)──► skipped
///                                │  └──release (W)─────┘  └──4xx or no reply (S)──► deferred ──due, claim (W)──► sending
///                                │     postpone (W)                                   │ attempts or age used up (S)──► failed
///                                └──retry (C) ◄── failed, deferred                    └──cancel (C)──► skipped
///
/// - `queued`: waiting for `next_attempt_at`. Campaign start inserts one per person in the audience.
/// - `sending`: claimed under a lease (`lease_until`, `lease_owner` = `pid:<n>:<tag>`); attempts + 1.
/// - `deferred`: a 4xx, or no verdict (unreachable, dropped); due again at `next_attempt_at`.
/// - `sent`, `bounced`, `skipped`, `failed`: final; only `campaign retry` takes `failed` (and `deferred`) back
///   to `queued` with attempts reset.
///
/// Transitions that give a job back without an attempt (attempts − 1, the lease cleared): **release** (never
/// tried: the destination failed as a whole, or the worker is stopping) and **postpone** (its domain asked to
/// slow down; not before the pause ends); both return it to `queued`, or to `deferred` if an earlier attempt
/// got a reply. **Reclaim** takes back a dead worker's leased jobs at once, keeping the attempt counted
/// (the message may have gone out); a live worker's rows come back only when their lease expires and a claim
/// takes them. **Cancel** makes every `queued` and `deferred` job `skipped`; jobs in `sending` are stopped by
/// the last-moment check. A job whose message cannot be composed (a bad stored address, a template error)
/// becomes `failed` at once.
///
/// Back-off (`RetryPolicy`): after attempt n, `retry.backoff × 2^(n−1)` with ±25 % jitter, at most
/// `retry.max_backoff`; `failed` after `retry.max_attempts` attempts or once older than `retry.max_age`.
///
/// Crash: outcomes are committed in batches; each sender first appends every 2xx to its send journal beside
/// the database (no fsync), and the next worker on the machine folds a dead worker's journal in (`sent`) before
/// it reclaims the rest, so a SIGKILL re-sends at most the one message per connection on the wire. Power loss:
/// the journal's unflushed lines are lost too, so everything accepted since the last batch commit can be sent
/// again, unless `outbox.journal_sync` flushes every line. Nobody is lost either way: a job leaves `sending`
/// only by a recorded outcome, a give-back, or a reclaim.
public enum OutboxState: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case queued, sending, sent, deferred, bounced, skipped, failed

    public var isFinal: Bool {
        switch self {
        case .sent, .bounced, .skipped, .failed: true
        case .queued, .sending, .deferred: false
        }
    }
}

/// A claimed job with what composing its message needs.
public struct ClaimedJob: Sendable, Equatable {
    public var jobID: Int64
    public var campaignID: Int64
    public var campaignName: String
    public var kind: CampaignKind
    public var template: String
    public var recipientID: Int64
    public let email: String
    /// The recipient's domain, lower-cased: the unit of the per-domain concurrency cap and of rate-limit pauses.
    /// Stored, because the delivery queue asks for it several times per message.
    public let domain: String
    public var name: String?
    public var products: [String]
    /// Attempts so far, this one included.
    public var attempt: Int
    public var queuedAt: Date
    /// The lease the job was claimed with; its outcome is recorded only while the job still holds it.
    public var leaseUntil: Date
    /// For a confirmation mail: the purposes its link will grant (what was waiting when it was claimed).
    public var waitingPurposes: [Purpose]
    /// For a policy-change notice: the version it announces.
    public var policy: PolicyVersion?
    /// The campaign's own words, when it brings them (shared by every job of the campaign).
    public var words: CampaignWords?
    /// The recipient's first name when given separately, and their personal fields.
    public var firstName: String?
    public var attributes: [String: String] = [:]

    public init(jobID: Int64, campaignID: Int64, campaignName: String, kind: CampaignKind, template: String, recipientID: Int64,
                email: String, name: String?, products: [String], attempt: Int, queuedAt: Date, leaseUntil: Date = .distantPast,
                waitingPurposes: [Purpose] = [], policy: PolicyVersion? = nil) {
        self.jobID = jobID
        self.campaignID = campaignID
        self.campaignName = campaignName
        self.kind = kind
        self.template = template
        self.recipientID = recipientID
        self.email = email
        self.domain = email.lastIndex(of: "@").map { email[email.index(after: $0)...].lowercased() } ?? ""
        self.name = name
        self.products = products
        self.attempt = attempt
        self.queuedAt = queuedAt
        self.leaseUntil = leaseUntil
        self.waitingPurposes = waitingPurposes
        self.policy = policy
    }
}

/// What happened to one claimed job.
public struct JobOutcome: Sendable, Equatable {
    public var jobID: Int64
    public var state: OutboxState
    public var code: Int?
    public var enhancedStatus: String?
    public var reply: String?
    /// When `state` is `deferred`: when to try again.
    public var nextAttemptAt: Date?
    /// Suppress the address (a permanent refusal).
    public var suppressAs: SuppressionReason?
    /// The lease the job was claimed with (`ClaimedJob.leaseUntil`).
    public var lease: Date?

    public init(jobID: Int64, state: OutboxState, code: Int? = nil, enhancedStatus: String? = nil, reply: String? = nil,
                nextAttemptAt: Date? = nil, suppressAs: SuppressionReason? = nil, lease: Date? = nil) {
        self.jobID = jobID
        self.state = state
        self.code = code
        self.enhancedStatus = enhancedStatus
        self.reply = reply
        self.nextAttemptAt = nextAttemptAt
        self.suppressAs = suppressAs
        self.lease = lease
    }
}

extension OutboxState { public var description: String { rawValue } }
