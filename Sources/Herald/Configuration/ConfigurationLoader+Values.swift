import Foundation
import Logging
import Mail
import PostgresStorage
import SMTP
import Tokens

extension ConfigurationLoader {
    /// Builds and checks the whole configuration. Defaults are the ones `config/herald.yaml` documents.
    func configuration() throws(HeraldError) -> HeraldConfiguration {
        guard let from = try mailbox("sender.from") else { throw problem("sender.from", "is required") }
        let postalAddress = try required("sender.postal_address")
        let publicURL = try required("public_url")
        guard let url = URL(string: publicURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw problem("public_url", "must be an http:// or https:// URL, not '\(publicURL)'")
        }
        let transport = try choice("transport", default: HeraldConfiguration.TransportKind.file)
        let smtpURL = string("smtp.url") ?? "smtp://127.0.0.1:25"
        let lowered = smtpURL.lowercased()
        guard let parsedURL = URL(string: smtpURL), lowered.hasPrefix("smtp://") || lowered.hasPrefix("smtps://"), parsedURL.host != nil else {
            throw problem("smtp.url", "must look like smtp://host:port or smtps://host:port")
        }
        // The URL is printed in messages and summaries, so it must not carry credentials.
        guard parsedURL.user == nil, parsedURL.password == nil else {
            throw problem("smtp.url", "must not contain credentials; give them as smtp.username and smtp.password")
        }
        let settings = SMTPSettings(
            url: smtpURL,
            startTLS: try choice("smtp.starttls", default: SMTPSettings.StartTLS.opportunistic),
            username: string("smtp.username"),
            password: string("smtp.password"),
            heloName: string("smtp.helo_name") ?? from.address.domain,
            caFile: try existingFile("smtp.ca_file"),
            connectTimeoutMilliseconds: Int(try duration("smtp.connect_timeout", default: .seconds(10)).seconds * 1000),
            transferTimeoutMilliseconds: Int(try duration("smtp.timeout", default: .seconds(60)).seconds * 1000))
        let rateText = string("smtp.rate") ?? "0"
        guard let rate = Double(rateText), rate >= 0, rate.isFinite else {
            throw problem("smtp.rate", "must be a number of messages per second (0 = unlimited), not '\(rateText)'")
        }
        let dkim = try dkimSigner(defaultDomain: from.address.domain)
        let retry = RetryPolicy(
            backoff: try duration("retry.backoff", default: .seconds(300)),
            maxBackoff: try duration("retry.max_backoff", default: .seconds(4 * 3600)),
            maxAttempts: try integer("retry.max_attempts", default: 8, range: 1...1000),
            maxAge: try duration("retry.max_age", default: .seconds(5 * 86_400)))
        guard retry.maxBackoff >= retry.backoff else {
            throw problem("retry.max_backoff", "must not be shorter than retry.backoff")
        }
        let database = string("database") ?? "var/herald.sqlite"
        var postgres: PostgresSettings?
        if PostgresSettings.isURL(database) {
            do { postgres = try PostgresSettings(url: database, password: environment[ConfigurationKeys.databasePassword]) } catch {
                throw problem("database", error.message)
            }
        }
        let journalDirectory = string("outbox.journal_dir") ?? (postgres == nil ? database + ".accepted" : "var/herald.accepted")
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        let policyURL = string("policy.url") ?? base + "/policy"
        guard let parsedPolicyURL = URL(string: policyURL), ["http", "https"].contains(parsedPolicyURL.scheme?.lowercased() ?? ""),
              parsedPolicyURL.host != nil else {
            throw problem("policy.url", "must be an http:// or https:// URL, not '\(policyURL)'")
        }
        var configuration = HeraldConfiguration(
            path: path,
            database: database,
            postgres: postgres,
            templates: string("templates") ?? "Templates",
            fileDir: string("file_dir") ?? "var/outbox",
            sender: .init(from: from, replyTo: try mailbox("sender.reply_to"), postalAddress: postalAddress,
                          listID: try listID(defaultDomain: from.address.domain)),
            publicURL: base,
            transport: transport,
            smtp: .init(settings: settings, connections: try integer("smtp.connections", default: 4, range: 1...64), rate: rate,
                        domainConcurrency: try integer("smtp.domain_concurrency", default: 20, range: 1...1000)),
            dkim: dkim,
            tokenKeys: try tokenKeys(),
            suppressionKey: try secret("suppression.key"),
            http: try http(),
            register: try register(),
            console: try console(),
            retry: retry,
            policy: .init(noticeDays: try integer("policy.notice_days", default: 30, range: 0...3650), url: policyURL),
            journalSync: try boolean("outbox.journal_sync", default: false),
            journalDirectory: journalDirectory,
            logLevel: try logLevel(),
            secretOrigins: Dictionary(uniqueKeysWithValues: ConfigurationKeys.secrets.map { ($0, origin(of: $0)) }))
        configuration.attributes = try attributeNames()
        configuration.bounce = try bounce()
        return configuration
    }

    private func http() throws(HeraldError) -> HeraldConfiguration.HTTP {
        let limits = HeraldConfiguration.HTTP.Limits(
            maxConnections: try integer("http.max_connections", default: 1000, range: 1...1_000_000),
            headerTimeout: try duration("http.header_timeout", default: .seconds(10)),
            bodyTimeout: try duration("http.body_timeout", default: .seconds(30)),
            idleTimeout: try duration("http.idle_timeout", default: .seconds(60)),
            maxBlockingQueue: try integer("http.max_queued_work", default: 256, range: 1...1_000_000))
        var sessionKey: [UInt8]?
        if string("http.session_key") != nil { sessionKey = try secret("http.session_key") }
        let proxies = (string("http.trusted_proxies") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return .init(listen: string("http.listen") ?? "127.0.0.1:8080", adminToken: try adminToken(), sessionKey: sessionKey,
                     metricsToken: try optionalToken("http.metrics_token"), trustedProxies: proxies, limits: limits)
    }

    private func console() throws(HeraldError) -> HeraldConfiguration.Console {
        let idle = try duration("console.session_idle", default: .seconds(30 * 60))
        let lifetime = try duration("console.session_lifetime", default: .seconds(12 * 3600))
        guard idle >= .seconds(1) else { throw problem("console.session_idle", "must be at least 1s") }
        guard lifetime >= idle else { throw problem("console.session_lifetime", "must not be shorter than console.session_idle") }
        var testRecipients: [String] = []
        for item in (string("console.test_recipients") ?? "").split(separator: ",") {
            let text = item.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            do { testRecipients.append(try EmailAddress(parsing: text).normalized) } catch {
                throw problem("console.test_recipients", "'\(text)' is not an address: \(error.reason)")
            }
        }
        return .init(sessionIdle: idle, sessionLifetime: lifetime,
                     signInQueue: try integer("console.sign_in_queue", default: 16, range: 0...10_000), testRecipients: testRecipients)
    }

    /// `bounce.domain` (a domain name, no `@`) and `bounce.key`, which it needs.
    func bounce() throws(HeraldError) -> HeraldConfiguration.Bounce? {
        guard let domain = string("bounce.domain")?.trimmingCharacters(in: .whitespaces).lowercased(), !domain.isEmpty else { return nil }
        guard (try? EmailAddress(parsing: "b-x@" + domain)) != nil, !domain.contains("@") else {
            throw problem("bounce.domain", "'\(domain)' is not a domain name, such as bounce.example.com")
        }
        guard string("bounce.key") != nil else {
            throw problem("bounce.key", "is required when bounce.domain is set: it signs each message's return path (herald secrets generate makes one)")
        }
        return .init(domain: domain, keys: [try secret("bounce.key")])
    }

    /// `recipients.attributes`: lower-case names of letters, digits and `_`, starting with a letter; not a name
    /// the import already reads (email, name, birthdate, products, consents, source).
    func attributeNames() throws(HeraldError) -> [String] {
        var names: [String] = []
        for item in (string("recipients.attributes") ?? "").split(separator: ",") {
            let name = item.trimmingCharacters(in: .whitespaces)
            if name.isEmpty || names.contains(name) { continue }
            guard PersonName.isAttributeName(name) else {
                throw problem("recipients.attributes", "'\(name)' is not a field name: use lower-case letters, digits and _, starting with a letter (at most 40)")
            }
            guard !PersonName.importColumns.contains(name) else {
                throw problem("recipients.attributes", "'\(name)' is a column the import reads already")
            }
            names.append(name)
        }
        return names
    }

    private func register() throws(HeraldError) -> HeraldConfiguration.Register {
        let shareText = string("register.send_share") ?? "0.25"
        guard let share = Double(shareText), share > 0, share <= 1 else {
            throw problem("register.send_share", "must be a fraction above 0 and at most 1, not '\(shareText)'")
        }
        return .init(perMailbox: try integer("register.limits.per_mailbox", default: 3, range: 0...1_000_000),
                     perDomain: try integer("register.limits.per_domain", default: 100, range: 0...1_000_000),
                     total: try integer("register.limits.total", default: 500, range: 0...10_000_000),
                     withoutChallenge: try integer("register.limits.without_challenge", default: 50, range: 0...10_000_000),
                     challengeCost: try integer("register.challenge_cost", default: 50_000, range: 1_000...100_000_000),
                     sendShare: share, products: try registerProducts())
    }

    /// `register.products`: product names as segments use them (`RegistrationRules.product`), in the given order.
    private func registerProducts() throws(HeraldError) -> [String]? {
        guard let text = string("register.products") else { return nil }
        var products: [String] = []
        for item in text.split(separator: ",") where !String(item).trimmingWhitespace().isEmpty {
            let product: String
            do { product = try RegistrationRules.product(String(item)) } catch { throw problem("register.products", error.message) }
            if !products.contains(product) { products.append(product) }
        }
        return products
    }

    private func logLevel() throws(HeraldError) -> Logger.Level {
        guard let text = string("log.level") else { return .notice }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw problem("log.level", "must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
        }
        return level
    }

    /// `sender.list_id` as a bare id (`news.example.com`, written `<news.example.com>`) or a full RFC 2919 value.
    private func listID(defaultDomain: String) throws(HeraldError) -> ListID {
        let text = string("sender.list_id") ?? "news.\(defaultDomain)"
        do { return try ListID(parsing: text) } catch {
            throw problem("sender.list_id", "\(error.reason): expected a bare id such as news.example.com or a full value such as 'Example News <news.example.com>'")
        }
    }

    /// The key is read and checked now, so a bad key stops every command at start rather than the first send.
    private func dkimSigner(defaultDomain: String) throws(HeraldError) -> DKIMSigner? {
        let algorithmText = string("dkim.algorithm") ?? "rsa-sha256"
        guard let algorithm = DKIMKey.Algorithm(rawValue: algorithmText) else {
            throw problem("dkim.algorithm", "must be rsa-sha256 or ed25519-sha256, not '\(algorithmText)'")
        }
        guard let file = try existingFile("dkim.key_file") else { return nil }
        guard let selector = string("dkim.selector") else { throw problem("dkim.selector", "is needed when dkim.key_file is set") }
        let domain = (string("dkim.domain") ?? defaultDomain).lowercased()
        guard let pem = try? String(contentsOfFile: file, encoding: .utf8) else { throw problem("dkim.key_file", "\(file) is not a text (PEM) file") }
        do {
            return DKIMSigner(domain: domain, selector: selector, key: try DKIMKey(pem: pem, algorithm: algorithm))
        } catch {
            throw problem("dkim.key_file", "\(file) \(error.reason) (dkim.algorithm is \(algorithm.rawValue))")
        }
    }

    private func existingFile(_ key: String) throws(HeraldError) -> String? {
        guard let file = string(key) else { return nil }
        guard FileManager.default.isReadableFile(atPath: file) else { throw problem(key, "names a file that cannot be read: \(file)") }
        return file
    }

    private func secret(_ key: String) throws(HeraldError) -> [UInt8] {
        let value = try required(key)
        guard value.utf8.count >= 16 else { throw problem(key, "must be at least 16 characters long") }
        return Array(value.utf8)
    }

    /// The admin API's bearer token: optional (no token, no API), but never guessable when given.
    private func adminToken() throws(HeraldError) -> String? { try optionalToken("http.admin_token") }

    /// A bearer token: optional, at least 24 characters (`serve` asks for 32 of a fresh secret, see `SecretsCheck`).
    private func optionalToken(_ key: String) throws(HeraldError) -> String? {
        guard let token = string(key) else { return nil }
        guard token.utf8.count >= 24 else { throw problem(key, "must be at least 24 characters long") }
        return token
    }

    /// `id:secret,id:secret`; the first signs, all verify.
    private func tokenKeys() throws(HeraldError) -> [TokenKey] {
        let text = try required("tokens.keys")
        var keys: [TokenKey] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { throw problem("tokens.keys", "entries must be id:secret") }
            do {
                keys.append(try TokenKey(id: String(parts[0]).trimmingCharacters(in: .whitespaces),
                                         secret: Array(String(parts[1]).trimmingCharacters(in: .whitespaces).utf8)))
            } catch {
                throw problem("tokens.keys", error.message)
            }
        }
        do { _ = try TokenAuthority(keys: keys) } catch { throw problem("tokens.keys", error.message) }
        return keys
    }
}
