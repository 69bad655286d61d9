import Foundation

/// A registered person. The address is stored normalized; `addressHash` is its keyed hash, the same value the
/// suppression list holds, so suppression can be checked in the store without keeping erased addresses.
public struct Recipient: Codable, Sendable, Equatable {
    /// nil until the store has recorded it.
    public var id: Int64?
    public var email: String
    public var addressHash: Data
    public var name: String?
    public var birthYear: Int?
    public var source: String
    public var createdAt: Date

    public init(id: Int64? = nil, email: String, addressHash: Data, name: String?, birthYear: Int?, source: String, createdAt: Date) {
        self.id = id
        self.email = email
        self.addressHash = addressHash
        self.name = name
        self.birthYear = birthYear
        self.source = source
        self.createdAt = createdAt
    }
}

/// What registering a person writes.
public struct NewRecipient: Sendable, Equatable {
    public var email: String
    public var addressHash: Data
    public var name: String?
    public var birthYear: Int?
    public var products: [String]
    public var source: String

    public init(email: String, addressHash: Data, name: String?, birthYear: Int?, products: [String], source: String) {
        self.email = email
        self.addressHash = addressHash
        self.name = name
        self.birthYear = birthYear
        self.products = products
        self.source = source
    }
}

/// What a registration wrote.
public struct RecipientWrite: Sendable, Equatable {
    public var recipient: Recipient
    public var created: Bool
    /// The consent changes that altered a purpose's state (repeating the current state records nothing).
    public var consentChanges: Int
    /// Whether a suppression the registration was allowed to lift was lifted.
    public var liftedSuppression: Bool

    public init(recipient: Recipient, created: Bool, consentChanges: Int, liftedSuppression: Bool = false) {
        self.recipient = recipient
        self.created = created
        self.consentChanges = consentChanges
        self.liftedSuppression = liftedSuppression
    }
}

/// One valid row of an import, ready to write.
public struct ImportRow: Sendable {
    public var recipient: NewRecipient
    public var grants: [Purpose]
    /// The hash of the notice the grants were given under (for an import: its `source`), for the ledger.
    public var noticeHash: String?

    public init(recipient: NewRecipient, grants: [Purpose], noticeHash: String? = nil) {
        self.recipient = recipient
        self.grants = grants
        self.noticeHash = noticeHash
    }
}

/// What a batch of import rows changed.
public struct ImportTally: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    /// Rows refused because their address was erased (nothing of them is written).
    public var erased = 0

    public init() {}

    public static func += (lhs: inout ImportTally, rhs: ImportTally) {
        lhs.created += rhs.created
        lhs.updated += rhs.updated
        lhs.unchanged += rhs.unchanged
        lhs.erased += rhs.erased
    }
}
