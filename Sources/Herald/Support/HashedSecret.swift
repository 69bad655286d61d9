import Crypto
import Foundation
import Tokens

/// A secret that requests present (a bearer token), kept as its SHA-256 and compared in constant time: both
/// sides are hashed, so neither the presented text's length nor where it first differs shows in the time an
/// answer takes.
public struct HashedSecret: Sendable {
    private let digest: [UInt8]

    /// nil when no secret is configured.
    public init?(_ secret: String?) {
        guard let secret, !secret.isEmpty else { return nil }
        digest = Array(SHA256.hash(data: Data(secret.utf8)))
    }

    public func matches(_ presented: String) -> Bool {
        Self.constantTimeEqual(Array(SHA256.hash(data: Data(presented.utf8))), digest)
    }

    /// The token of an `Authorization: Bearer <token>` header; nil for no header or another scheme.
    public static func bearer(_ authorization: String?) -> String? {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else { return nil }
        return String(authorization.dropFirst(7))
    }

    /// Whether two byte strings are equal, in a time that depends on their length only.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool { ConstantTime.equal(a, b) }
}
