import Foundation
import GRDB

/// One grant or revocation to record: it becomes a ledger row and the purpose's current state.
public struct ConsentChange: Sendable, Equatable {
    public var purpose: String
    public var granted: Bool
    /// `import`, `form`, `one-click`, `admin`, `cli`…
    public var source: String
    public var policyVersion: String?
    public var noticeHash: String?
    public var at: Date

    public init(purpose: String, granted: Bool, source: String, policyVersion: String? = nil, noticeHash: String? = nil, at: Date) {
        self.purpose = purpose
        self.granted = granted
        self.source = source
        self.policyVersion = policyVersion
        self.noticeHash = noticeHash
        self.at = at
    }
}

/// A row of the append-only consent ledger.
public struct ConsentLedgerEntry: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consent_ledger"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var recipientId: Int64
    public var purpose: String
    /// `grant` or `revoke`.
    public var action: String
    public var source: String
    public var policyVersion: String?
    public var noticeHash: String?
    public var recordedAt: Date
}

/// The current state of one purpose for one person.
public struct ConsentState: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consents"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var recipientId: Int64
    public var purpose: String
    public var granted: Bool
    public var updatedAt: Date
}
