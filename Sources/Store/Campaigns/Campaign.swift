import Foundation

/// A campaign: which template goes to which audience, and when (see `CampaignStatus` for its life).
public struct Campaign: Codable, Sendable, Equatable {
    /// nil until the store has recorded it.
    public var id: Int64?
    public var name: String
    public var kind: CampaignKind
    public var template: String
    public var segment: String?
    public var status: CampaignStatus
    public var dueAt: Date
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// A policy-change notice's version: what its messages announce and what their accept/decline links decide.
    public var policyVersion: String?
    /// Why a `failed` campaign failed before its first send (a template error, as `file:line: problem`).
    public var problem: String?
    /// Its own subject, preheader and body, set in the template's frame; nil: the template's own words.
    public var words: CampaignWords?

    public init(id: Int64? = nil, name: String, kind: CampaignKind, template: String, segment: String?,
                status: CampaignStatus = .scheduled, dueAt: Date, createdAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil,
                policyVersion: String? = nil, problem: String? = nil, words: CampaignWords? = nil) {
        self.id = id
        self.name = name
        self.kind = kind
        self.template = template
        self.segment = segment
        self.status = status
        self.dueAt = dueAt
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.policyVersion = policyVersion
        self.problem = problem
        self.words = words
    }

    /// A draft, or scheduled and not yet started: its words, audience and time can still change.
    public var isEditable: Bool { status == .draft || status == .scheduled }
}

/// Who a campaign goes to, decided when it starts. The consent and suppression checks are repeated for each
/// message right before it is sent; this only decides who gets an outbox row. Nobody suppressed is ever in it.
public struct Audience: Sendable, Equatable {
    /// The purpose whose consent is required; nil for notices everyone stored must get (policy changes).
    public var purpose: Purpose?
    /// Registered for at least one of these products; nil for no product condition.
    public var anyOfProducts: [String]?
    /// Personal fields that must hold: for each name, one of its values (`attribute:country=DE,attribute:country=AT`).
    public var attributes: [String: [String]]
    /// Also consenting to at least one of these purposes; nil for no further condition.
    public var anyOfPurposes: [Purpose]?
    /// Suppressions that do not keep a person out: a policy notice still goes to someone who unsubscribed from
    /// everything (it is not marketing), never to an erased, bounced, complained or operator-suppressed address.
    public var despiteSuppressions: Set<SuppressionReason>

    public init(purpose: Purpose?, anyOfProducts: [String]?, anyOfPurposes: [Purpose]? = nil, attributes: [String: [String]] = [:],
                despiteSuppressions: Set<SuppressionReason> = []) {
        self.purpose = purpose
        self.anyOfProducts = anyOfProducts
        self.attributes = attributes
        self.anyOfPurposes = anyOfPurposes
        self.despiteSuppressions = despiteSuppressions
    }
}

/// What starting a due campaign does: queue its audience, or fail it as a whole before anyone is mailed.
public enum CampaignStart: Sendable, Equatable {
    case send(Audience?)
    case fail(problem: String)
    /// Not yet: it stays scheduled and is looked at again.
    case wait
}

/// A recipient of a campaign whose message has not (yet) gone: what the server last said, for the operator.
public struct JobProblem: Sendable, Equatable, Codable {
    /// nil when the person was erased since.
    public var email: String?
    public var state: OutboxState
    public var attempts: Int
    public var code: Int?
    public var enhancedStatus: String?
    public var reply: String?

    public init(email: String?, state: OutboxState, attempts: Int, code: Int?, enhancedStatus: String?, reply: String?) {
        self.email = email
        self.state = state
        self.attempts = attempts
        self.code = code
        self.enhancedStatus = enhancedStatus
        self.reply = reply
    }
}

extension Campaign {
    /// Starts this campaign as `plan` says, with `enqueue` queueing an audience (returning how many jobs): it
    /// becomes `sending`, or `done` at once with nobody to send to, or `failed` with its problem. Returns the
    /// number of jobs, or nil when the plan is to wait (nothing changes). The same for every backend.
    public mutating func start<Failure: Error>(as plan: CampaignStart, now: Date,
                                               enqueue: (Audience) throws(Failure) -> Int) throws(Failure) -> Int? {
        var count = 0
        switch plan {
        case .send(let audience):
            if let audience { count = try enqueue(audience) }
            status = count == 0 ? .done : .sending
        case .fail(let problem):
            status = .failed
            self.problem = problem
        case .wait:
            return nil
        }
        startedAt = now
        if status != .sending { finishedAt = now }
        return count
    }
}
