import Foundation
import GRDB

/// A registered person. The address is stored normalized; `addressHash` is its keyed hash, the same value the
/// suppression list holds, so suppression can be checked in SQL without keeping erased addresses.
public struct Recipient: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "recipients"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

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

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
