import Foundation

/// Everything stored about one person, for an access request.
public struct PersonRecord: Sendable {
    public struct Message: Sendable, Codable, Equatable {
        public var campaignId: Int64
        public var campaignName: String
        public var kind: CampaignKind
        public var state: OutboxState
        public var attempts: Int
        public var queuedAt: Date
        public var finishedAt: Date?
        public var lastCode: Int?
        public var lastEnhancedStatus: String?
        public var lastReply: String?

        public init(campaignId: Int64, campaignName: String, kind: CampaignKind, state: OutboxState, attempts: Int, queuedAt: Date,
                    finishedAt: Date?, lastCode: Int?, lastEnhancedStatus: String?, lastReply: String?) {
            self.campaignId = campaignId
            self.campaignName = campaignName
            self.kind = kind
            self.state = state
            self.attempts = attempts
            self.queuedAt = queuedAt
            self.finishedAt = finishedAt
            self.lastCode = lastCode
            self.lastEnhancedStatus = lastEnhancedStatus
            self.lastReply = lastReply
        }
    }

    public struct Suppression: Sendable, Codable, Equatable {
        public var reason: SuppressionReason
        public var createdAt: Date

        public init(reason: SuppressionReason, createdAt: Date) {
            self.reason = reason
            self.createdAt = createdAt
        }
    }

    /// A registration of this address still waiting for its confirmation: what it holds until it is confirmed or
    /// expires, and where its confirmation mail stands.
    public struct WaitingRegistration: Sendable, Codable, Equatable {
        public var email: String
        public var name: String?
        public var birthYear: Int?
        public var products: [String]
        public var purposes: [Purpose]
        public var requestedAt: Date
        /// The confirmation mail's state in the outbox; nil when none was queued.
        public var mail: OutboxState?

        public init(email: String, name: String?, birthYear: Int?, products: [String], purposes: [Purpose], requestedAt: Date,
                    mail: OutboxState?) {
            self.email = email
            self.name = name
            self.birthYear = birthYear
            self.products = products
            self.purposes = purposes
            self.requestedAt = requestedAt
            self.mail = mail
        }
    }

    public var recipient: Recipient?
    public var products: [String]
    public var consents: [ConsentState]
    public var ledger: [ConsentLedgerEntry]
    public var messages: [Message]
    public var suppression: Suppression?
    public var waitingRegistrations: [WaitingRegistration]

    public init(recipient: Recipient?, products: [String], consents: [ConsentState], ledger: [ConsentLedgerEntry],
                messages: [Message], suppression: Suppression?, waitingRegistrations: [WaitingRegistration] = []) {
        self.recipient = recipient
        self.products = products
        self.consents = consents
        self.ledger = ledger
        self.messages = messages
        self.suppression = suppression
        self.waitingRegistrations = waitingRegistrations
    }
}

/// Raw group counts, before small cells are suppressed (that is the application's job, and nothing here
/// identifies a person).
public struct AggregateCounts: Sendable, Equatable {
    public var recipients = 0
    /// purpose → (granted, revoked)
    public var consents: [Purpose: (granted: Int, revoked: Int)] = [:]
    public var products: [String: Int] = [:]
    /// birth year (nil = not given) → count
    public var birthYears: [Int?: Int] = [:]
    public var suppressions: [SuppressionReason: Int] = [:]
    public var messages: [OutboxState: Int] = [:]

    public init() {}

    public static func == (lhs: AggregateCounts, rhs: AggregateCounts) -> Bool {
        lhs.recipients == rhs.recipients && lhs.products == rhs.products && lhs.birthYears == rhs.birthYears
            && lhs.suppressions == rhs.suppressions && lhs.messages == rhs.messages
            && lhs.consents.mapValues { [$0.granted, $0.revoked] } == rhs.consents.mapValues { [$0.granted, $0.revoked] }
    }
}
