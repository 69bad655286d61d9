import Foundation

/// A signed-in console session: the cookie holds a random token, the store only its SHA-256. It ends at
/// `expiresAt` whatever happens (the absolute lifetime), or earlier when unused for the idle lifetime after
/// `lastSeenAt`.
public struct StaffSession: Sendable, Equatable {
    public var tokenHash: Data
    public var staffID: Int64
    public var createdAt: Date
    public var expiresAt: Date
    public var lastSeenAt: Date

    public init(tokenHash: Data, staffID: Int64, createdAt: Date, expiresAt: Date, lastSeenAt: Date? = nil) {
        self.tokenHash = tokenHash
        self.staffID = staffID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt ?? createdAt
    }
}
