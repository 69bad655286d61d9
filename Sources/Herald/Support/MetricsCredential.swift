import Crypto
import Foundation

/// `/metrics`'s bearer token (`http.metrics_token`): the outbox's depth and the process's counters are for the
/// operator's scraper, not the open internet. A presented token is compared in constant time, as the admin
/// API's is: both are hashed, so neither their length nor where they first differ shows in the answer's time.
public struct MetricsCredential: Sendable {
    private let digest: [UInt8]

    /// nil when no token is configured: then there is no `/metrics`.
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
