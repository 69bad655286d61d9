import Foundation

/// Who is calling the admin API: `Authorization: Bearer <token>` names one of the tokens `herald api-tokens`
/// made (looked up by its SHA-256), or `http.admin_token` from the configuration, which is the token named
/// `config`. The configured token is compared in constant time: both are hashed, so neither their length nor
/// where they first differ shows in the time an answer takes; a stored token is found by its hash, which
/// tells a guesser nothing about any token's text.
public struct AdminCredential: Sendable {
    private let configured: HashedSecret?
    private let tokens: ApiTokenService

    public init(configured token: String?, tokens: ApiTokenService) {
        configured = HashedSecret(token)
        self.tokens = tokens
    }

    /// Whether any token could be accepted: without one the admin API is off (404).
    public func isOn() throws(HeraldError) -> Bool {
        if configured != nil { return true }
        return try !tokens.list().isEmpty
    }

    /// The name of the token presented (`config` for `http.admin_token`), nil when none matches.
    public func holder(authorization: String?) throws(HeraldError) -> String? {
        guard let presented = HashedSecret.bearer(authorization) else { return nil }
        if configured?.matches(presented) == true { return ApiTokenService.configName }
        return try tokens.token(presented: presented)?.name
    }
}
