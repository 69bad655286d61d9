import Foundation

/// A named bearer token of the admin API. The store keeps only the SHA-256 of the token (a random value of 32
/// bytes, so a plain hash is enough: there is nothing to guess), so a copy of the database calls no API.
public struct ApiToken: Sendable, Equatable {
    public var id: Int64?
    /// What the audit log calls the token's holder (`api:NAME`).
    public var name: String
    public var tokenHash: Data
    public var createdAt: Date
    /// Updated at most about once a minute, so a busy client does not write on every call.
    public var lastUsedAt: Date?

    public init(id: Int64? = nil, name: String, tokenHash: Data, createdAt: Date, lastUsedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
