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
    /// Given separately (a `first_name` column); nil: taken from `name` (`PersonName.firstName`).
    public var firstName: String?
    /// The company's own fields (`recipients.attributes`), by name; absent names are not stored.
    public var attributes: [String: String]

    public init(id: Int64? = nil, email: String, addressHash: Data, name: String?, birthYear: Int?, source: String, createdAt: Date,
                firstName: String? = nil, attributes: [String: String] = [:]) {
        self.id = id
        self.email = email
        self.addressHash = addressHash
        self.name = name
        self.birthYear = birthYear
        self.source = source
        self.createdAt = createdAt
        self.firstName = firstName
        self.attributes = attributes
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
    /// nil: keep what is stored.
    public var firstName: String?
    /// Personal fields to set (added to, or replacing, what is stored under the same names).
    public var attributes: [String: String]

    public init(email: String, addressHash: Data, name: String?, birthYear: Int?, products: [String], source: String,
                firstName: String? = nil, attributes: [String: String] = [:]) {
        self.email = email
        self.addressHash = addressHash
        self.name = name
        self.birthYear = birthYear
        self.products = products
        self.source = source
        self.firstName = firstName
        self.attributes = attributes
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

/// Personal fields as the stores keep them: one JSON object per person, keys sorted, so that the same fields are
/// the same text (an import that repeats them writes nothing).
public enum PersonalFields {
    public static func encode(_ fields: [String: String]) -> String? {
        guard !fields.isEmpty, let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A stored value that is not an object of strings reads as no fields.
    public static func decode(_ text: String?) -> [String: String] {
        guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
        return object.compactMapValues { $0 as? String }
    }
}
