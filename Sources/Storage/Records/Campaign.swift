import Foundation
import GRDB

/// A campaign: which template goes to which audience, and when.
///
/// Status: `scheduled` (waiting for `dueAt`) → `sending` (its outbox rows exist) → `done` (none left to try),
/// or `cancelled`.
public struct Campaign: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "campaigns"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var name: String
    public var kind: String
    public var template: String
    public var segment: String?
    public var status: String
    public var dueAt: Date
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(name: String, kind: String, template: String, segment: String?, dueAt: Date, createdAt: Date) {
        self.name = name
        self.kind = kind
        self.template = template
        self.segment = segment
        self.status = "scheduled"
        self.dueAt = dueAt
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Who a campaign goes to, decided when it starts. The consent and suppression checks are repeated for each
/// message right before it is sent; this only decides who gets an outbox row.
public struct Audience: Sendable, Equatable {
    /// The purpose whose consent is required; nil for notices everyone stored must get (policy changes).
    public var purpose: String?
    /// Registered for at least one of these products; nil for no product condition.
    public var anyOfProducts: [String]?
    /// Also consenting to at least one of these purposes; nil for no further condition.
    public var anyOfPurposes: [String]?

    public init(purpose: String?, anyOfProducts: [String]?, anyOfPurposes: [String]? = nil) {
        self.purpose = purpose
        self.anyOfProducts = anyOfProducts
        self.anyOfPurposes = anyOfPurposes
    }
}
