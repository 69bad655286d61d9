import Foundation

/// What `herald serve` and `herald worker` insist on before they start: every secret they use is Herald's
/// own, long, and used for one job only. The example values shipped in `config/herald.yaml` (and in the README)
/// are public, so anyone could mint unsubscribe, preferences and confirmation tokens with them; a secret shared
/// by two jobs (say the token key and the CSRF key) lets a leak of one forge the other.
///
/// Other commands still run with the shipped values, so a fresh checkout works for `init`, `render` and the rest.
public enum SecretsCheck {
    /// Which process is starting: each checks the secrets it uses.
    public enum Service: Sendable {
        case serve, worker
    }

    /// 32 bytes: as long as the HMAC-SHA256 key is useful, and what `herald secrets generate` writes.
    public static let minimumLength = 32

    /// Words that only a placeholder has: the shipped examples all carry one.
    static let placeholderMarks = ["change-me", "changeme", "change_me", "development-only", "example", "replace-me", "your-secret", "secret-here"]

    /// One line naming the first problem (the key and where it was set), exit 78.
    public static func check(_ configuration: HeraldConfiguration, for service: Service) throws(HeraldError) {
        var secrets: [(key: String, value: [UInt8])] = configuration.tokenKeys.map { ("tokens.keys", $0.secret) }
        secrets.append(("suppression.key", configuration.suppressionKey))
        if let bounce = configuration.bounce { secrets += bounce.keys.map { ("bounce.key", $0) } }
        if service == .serve {
            guard let sessionKey = configuration.http.sessionKey else {
                throw problem(configuration, "http.session_key", "is required by \(name(service)): it signs the web forms' CSRF values and the registration challenge")
            }
            secrets.append(("http.session_key", sessionKey))
            if let token = configuration.http.adminToken { secrets.append(("http.admin_token", Array(token.utf8))) }
            if let token = configuration.http.metricsToken { secrets.append(("http.metrics_token", Array(token.utf8))) }
        }
        for (key, value) in secrets {
            if let weakness = weakness(of: value) {
                throw problem(configuration, key, "\(weakness); \(name(service)) will not start with it")
            }
        }
        for (index, first) in secrets.enumerated() {
            for second in secrets[(index + 1)...] where first.key != second.key && HashedSecret.constantTimeEqual(first.value, second.value) {
                throw problem(configuration, second.key, "is the same secret as \(first.key); give each job a secret of its own (herald secrets generate)")
            }
        }
    }

    /// Why a secret is not fit to guard anything, or nil.
    static func weakness(of secret: [UInt8]) -> String? {
        let text = String(decoding: secret, as: UTF8.self).lowercased()
        if placeholderMarks.contains(where: text.contains) {
            return "is an example value, known to anyone who has read Herald's files; run herald secrets generate for a fresh one"
        }
        if secret.count < minimumLength {
            return "is \(secret.count) bytes long, shorter than \(minimumLength); run herald secrets generate for a fresh one"
        }
        // A row of one character, or a word repeated, is as long as a secret and no harder to guess.
        if Set(secret).count < 8 {
            return "has fewer than 8 different characters: it is not random; run herald secrets generate for a fresh one"
        }
        return nil
    }

    private static func problem(_ configuration: HeraldConfiguration, _ key: String, _ message: String) -> HeraldError {
        HeraldError(.configuration, "\(configuration.secretOrigins[key] ?? "\(configuration.path): \(key)") \(message)")
    }

    private static func name(_ service: Service) -> String {
        switch service {
        case .serve: "herald serve"
        case .worker: "herald worker"
        }
    }
}
