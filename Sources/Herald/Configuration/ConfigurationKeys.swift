/// Every key Herald reads. A key in the file that is not here is a mistake, reported with its line.
enum ConfigurationKeys {
    enum Shape {
        case scalar
        /// `tokens.keys`: a list of `{id, secret}`, or `id:secret,id:secret` in its environment variable.
        case keyList
        /// A list of plain values (`register.products`): a YAML sequence, or `a,b,c` in the file or its variable.
        case list
    }

    static let all: [String: Shape] = [
        "database": .scalar,
        "templates": .scalar,
        "file_dir": .scalar,
        "public_url": .scalar,
        "transport": .scalar,
        "sender.from": .scalar,
        "sender.reply_to": .scalar,
        "sender.postal_address": .scalar,
        "sender.list_id": .scalar,
        "smtp.url": .scalar,
        "smtp.starttls": .scalar,
        "smtp.username": .scalar,
        "smtp.password": .scalar,
        "smtp.connections": .scalar,
        "smtp.rate": .scalar,
        "smtp.domain_concurrency": .scalar,
        "smtp.helo_name": .scalar,
        "smtp.ca_file": .scalar,
        "smtp.connect_timeout": .scalar,
        "smtp.timeout": .scalar,
        "dkim.domain": .scalar,
        "dkim.selector": .scalar,
        "dkim.key_file": .scalar,
        "dkim.algorithm": .scalar,
        "tokens.keys": .keyList,
        "suppression.key": .scalar,
        "http.listen": .scalar,
        "http.admin_token": .scalar,
        "http.session_key": .scalar,
        "http.metrics_token": .scalar,
        "http.trusted_proxies": .scalar,
        "http.max_connections": .scalar,
        "http.header_timeout": .scalar,
        "http.body_timeout": .scalar,
        "http.idle_timeout": .scalar,
        "http.max_queued_work": .scalar,
        "register.limits.per_mailbox": .scalar,
        "register.limits.per_domain": .scalar,
        "register.limits.total": .scalar,
        "register.limits.without_challenge": .scalar,
        "register.challenge_cost": .scalar,
        "register.send_share": .scalar,
        "register.products": .list,
        "console.session_idle": .scalar,
        "console.session_lifetime": .scalar,
        "console.sign_in_queue": .scalar,
        "console.test_recipients": .list,
        "recipients.attributes": .list,
        "bounce.domain": .scalar,
        "bounce.key": .scalar,
        "retry.backoff": .scalar,
        "retry.max_backoff": .scalar,
        "retry.max_attempts": .scalar,
        "retry.max_age": .scalar,
        "outbox.journal_sync": .scalar,
        "outbox.journal_dir": .scalar,
        "log.level": .scalar,
        "policy.notice_days": .scalar,
        "policy.url": .scalar,
    ]

    /// Values that must never be printed or logged.
    static let secrets: Set<String> = ["smtp.password", "tokens.keys", "suppression.key", "http.admin_token", "http.session_key",
                                       "http.metrics_token", "bounce.key"]

    /// Read from the environment only, never from the file: the PostgreSQL password (`database` is a scalar,
    /// so it cannot have a key of its own there).
    static let databasePassword = "HERALD_DATABASE_PASSWORD"

    /// Every section and sub-section (`register`, `register.limits`): the prefixes of the dotted keys.
    static let sections: Set<String> = Set(all.keys.flatMap { key in
        key.indices.filter { key[$0] == "." }.map { String(key[..<$0]) }
    })

    /// `smtp.password` → `HERALD_SMTP_PASSWORD`.
    static func environmentName(_ key: String) -> String {
        "HERALD_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}
