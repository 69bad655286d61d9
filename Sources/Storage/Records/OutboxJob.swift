import Foundation

/// One message to one recipient for one campaign: a row of the outbox.
///
/// States:
/// - `queued`: waiting for `next_attempt_at`.
/// - `sending`: claimed by a worker until `lease_until`. A worker that crashes leaves its rows here; once the
///   lease expires they are claimed again, so a crash loses nobody and re-sends at most what was in flight.
/// - `deferred`: the server said 4xx or could not be reached; tried again at `next_attempt_at`
///   (exponential back-off with jitter, see `RetryPolicy`) until the attempts or the age run out.
/// - `sent` (2xx), `bounced` (5xx: the address is suppressed), `skipped` (consent withdrawn or address
///   suppressed before the send began), `failed` (gave up after retries): final.
public enum OutboxState: String, Sendable, CaseIterable, Codable {
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
    public var kind: String
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

    public init(jobID: Int64, campaignID: Int64, campaignName: String, kind: String, template: String, recipientID: Int64,
                email: String, name: String?, products: [String], attempt: Int, queuedAt: Date, leaseUntil: Date = .distantPast) {
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
    public var suppressAs: String?
    /// The lease the job was claimed with (`ClaimedJob.leaseUntil`).
    public var lease: Date?

    public init(jobID: Int64, state: OutboxState, code: Int? = nil, enhancedStatus: String? = nil, reply: String? = nil,
                nextAttemptAt: Date? = nil, suppressAs: String? = nil, lease: Date? = nil) {
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
