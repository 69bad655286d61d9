import Foundation

/// One grant or revocation to record: it becomes a ledger row and the purpose's current state.
public struct ConsentChange: Sendable, Equatable {
    public var purpose: Purpose
    public var granted: Bool
    /// `import`, `form`, `one-click`, `admin`, `cli`…
    public var source: String
    /// The privacy-policy version the change is given under; nil: the newest published (the store fills it in).
    public var policyVersion: String?
    /// SHA-256 (hex) of the notice text the person was shown when they chose.
    public var noticeHash: String?
    public var at: Date

    public init(purpose: Purpose, granted: Bool, source: String, policyVersion: String? = nil, noticeHash: String? = nil, at: Date) {
        self.purpose = purpose
        self.granted = granted
        self.source = source
        self.policyVersion = policyVersion
        self.noticeHash = noticeHash
        self.at = at
    }
}

/// A row of the append-only consent ledger.
public struct ConsentLedgerEntry: Codable, Sendable, Equatable {
    /// `accept` and `decline` are a person's choice on a materially changed privacy policy (`policyVersion`),
    /// with the purpose that version adds, or none.
    public enum Action: String, Codable, Sendable { case grant, revoke, accept, decline }

    public var id: Int64?
    public var recipientId: Int64
    /// nil only for a policy choice on a version that adds no purpose.
    public var purpose: Purpose?
    public var action: Action
    public var source: String
    public var policyVersion: String?
    public var noticeHash: String?
    public var recordedAt: Date

    public init(id: Int64?, recipientId: Int64, purpose: Purpose?, action: Action, source: String,
                policyVersion: String?, noticeHash: String?, recordedAt: Date) {
        self.id = id
        self.recipientId = recipientId
        self.purpose = purpose
        self.action = action
        self.source = source
        self.policyVersion = policyVersion
        self.noticeHash = noticeHash
        self.recordedAt = recordedAt
    }
}

/// The current state of one purpose for one person.
public struct ConsentState: Codable, Sendable, Equatable {
    public var recipientId: Int64
    public var purpose: Purpose
    public var granted: Bool
    public var updatedAt: Date

    public init(recipientId: Int64, purpose: Purpose, granted: Bool, updatedAt: Date) {
        self.recipientId = recipientId
        self.purpose = purpose
        self.granted = granted
        self.updatedAt = updatedAt
    }
}
