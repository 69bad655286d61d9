import Crypto
import Foundation
import Store

/// The admin API's named tokens: what `herald api-tokens` manages and `/api/*` checks. A token is 32 random
/// bytes (base64url, with a `herald_` prefix so a leaked one is recognisable in a scan); the store keeps only its
/// SHA-256, and the token itself is shown once, when it is made. Each token's name is who the audit log says
/// acted (`api:NAME`).
public struct ApiTokenService: Sendable {
    let store: any ApiTokenStore
    let clock: @Sendable () -> Date

    /// `http.admin_token`'s name: it keeps working as a token like the others.
    public static let configName = "config"
    /// How often, at most, a token's last use is written.
    public static let usageResolution: TimeInterval = 60

    public init(store: any ApiTokenStore, clock: @escaping @Sendable () -> Date) {
        self.store = store
        self.clock = clock
    }

    /// Makes a token named `name` and returns it with the token's text, which is not kept anywhere.
    public func add(name: String) throws(HeraldError) -> (token: ApiToken, secret: String) {
        let name = try Self.checkName(name)
        let secret = "herald_" + SecretsGenerator.random()
        guard let added = try storage({ () throws(StorageError) in
            try store.addApiToken(ApiToken(name: name, tokenHash: Self.hash(secret), createdAt: clock()))
        }) else { throw HeraldError(.dataError, "an API token named \(name) exists already") }
        return (added, secret)
    }

    public func remove(name: String) throws(HeraldError) {
        guard try storage({ () throws(StorageError) in try store.removeApiToken(name: name.lowercased()) }) else {
            throw HeraldError(.notFound, "no API token named \(name.lowercased())")
        }
    }

    /// By name; hashes only, never a token.
    public func list() throws(HeraldError) -> [ApiToken] {
        try storage { () throws(StorageError) in try store.apiTokens() }
    }

    /// The stored token a presented one is, if any, with its use noted (at most once per `usageResolution`).
    public func token(presented secret: String) throws(HeraldError) -> ApiToken? {
        guard secret.utf8.count <= 256 else { return nil }
        guard let found = try storage({ () throws(StorageError) in try store.apiToken(tokenHash: Self.hash(secret)) }), let id = found.id else { return nil }
        let now = clock()
        if found.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.usageResolution }) ?? true {
            try storage { () throws(StorageError) in try store.markApiTokenUsed(id: id, at: now) }
        }
        return found
    }

    static func hash(_ secret: String) -> Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    /// Lower-case letters, digits, `.`, `_` and `-`, at most 40, starting with a letter or digit; not `config`.
    static func checkName(_ text: String) throws(HeraldError) -> String {
        let name = text.lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        guard (1...40).contains(name.count), name.allSatisfy(allowed.contains), name.first?.isLetter == true || name.first?.isNumber == true else {
            throw HeraldError(.dataError, "a token's name is 1 to 40 letters, digits, '.', '_' or '-', starting with a letter or digit, not '\(text.prefix(60))'")
        }
        guard name != configName else {
            throw HeraldError(.dataError, "'\(configName)' names http.admin_token from the configuration; choose another name")
        }
        return name
    }
}

extension HeraldApp {
    /// The admin API's named tokens.
    public var apiTokens: ApiTokenService { ApiTokenService(store: store, clock: clock) }
}
