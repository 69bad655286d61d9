import Crypto
import Foundation

/// The admin API's bearer token (`http.admin_token`). A presented token is compared in constant time: both
/// are hashed, so neither their length nor where they first differ shows in the time an answer takes.
public struct AdminCredential: Sendable {
    private let digest: [UInt8]

    /// nil when no token is configured: then there is no admin API.
    public init?(token: String?) {
        guard let token, !token.isEmpty else { return nil }
        digest = Array(SHA256.hash(data: Data(token.utf8)))
    }

    /// `Authorization: Bearer <token>`.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else { return false }
        let presented = Array(SHA256.hash(data: Data(authorization.dropFirst(7).utf8)))
        var difference: UInt8 = 0
        for (a, b) in zip(presented, digest) { difference |= a ^ b }
        return difference == 0
    }
}
