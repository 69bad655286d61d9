/// `/metrics`'s bearer token (`http.metrics_token`): the outbox's depth and the process's counters are for the
/// operator's scraper, not the open internet. A presented token is compared in constant time, as the admin
/// API's is: both are hashed, so neither their length nor where they first differ shows in the answer's time.
public struct MetricsCredential: Sendable {
    private let secret: HashedSecret

    /// nil when no token is configured: then there is no `/metrics`.
    public init?(token: String?) {
        guard let secret = HashedSecret(token) else { return nil }
        self.secret = secret
    }

    /// `Authorization: Bearer <token>`.
    public func accepts(authorization: String?) -> Bool {
        HashedSecret.bearer(authorization).map(secret.matches) ?? false
    }
}
