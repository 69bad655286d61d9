import Foundation
import Store

/// Where the PostgreSQL store lives, from `database: postgres://USER[:PASSWORD]@HOST[:PORT]/DB?sslmode=…`
/// (or `postgresql://`). The password comes from the URL or, better, `HERALD_DATABASE_PASSWORD`; it is kept
/// apart from everything printable: `description` and every error name the server as `USER@HOST:PORT/DB`.
public struct PostgresSettings: Sendable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// libpq's `sslmode`: disable, allow, prefer (libpq's default), require, verify-ca, verify-full.
    public var sslMode: String?
    /// `pool_size`: the most connections a process keeps for the store's calls (default 8); each sender
    /// thread has one more for the last-moment check, and a worker one for wake-ups.
    public var poolSize: Int
    /// Other query parameters libpq understands (`sslrootcert`, `connect_timeout`, `application_name`…).
    public var options: [(String, String)]

    public static let sslModes: Set<String> = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    /// Whether `database` names a PostgreSQL server rather than an SQLite file.
    public static func isURL(_ database: String) -> Bool {
        let lowered = database.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Parses the URL; `password` (from `HERALD_DATABASE_PASSWORD`) wins over one in the URL. The problem, if
    /// any, is said without the password.
    public init(url text: String, password: String? = nil) throws(StorageError) {
        guard Self.isURL(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw StorageError(message: "expected postgres://USER@HOST:PORT/DATABASE?sslmode=…")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StorageError(message: "postgres URL without a user; expected postgres://USER@HOST:PORT/DATABASE")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw StorageError(message: "postgres URL without a database name; expected postgres://USER@HOST:PORT/DATABASE")
        }
        self.user = user.removingPercentEncoding ?? user
        self.password = password ?? components.password.map { $0.removingPercentEncoding ?? $0 }
        self.host = host
        self.port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        var options: [(String, String)] = []
        var sslMode: String?
        var poolSize = 8
        for item in components.queryItems ?? [] {
            guard let value = item.value, !value.isEmpty else { continue }
            if item.name == "sslmode" {
                guard Self.sslModes.contains(value) else {
                    throw StorageError(message: "sslmode=\(value) is not one of \(Self.sslModes.sorted().joined(separator: ", "))")
                }
                sslMode = value
            } else if item.name == "pool_size" {
                guard let size = Int(value), (1...256).contains(size) else {
                    throw StorageError(message: "pool_size=\(value) must be a number of connections from 1 to 256")
                }
                poolSize = size
            } else if item.name == "password" {
                throw StorageError(message: "give the password in the URL's user part or in HERALD_DATABASE_PASSWORD, not as a parameter")
            } else {
                options.append((item.name, value))
            }
        }
        self.sslMode = sslMode
        self.poolSize = poolSize
        self.options = options
    }

    /// `USER@HOST:PORT/DATABASE`: what logs, errors and `herald init` print.
    public var description: String { "\(user)@\(host):\(port)/\(database)" }

    /// libpq's key/value parameters, for `PQconnectdbParams` (no string to escape, nothing printed).
    var keywordsAndValues: [(String, String)] {
        var pairs: [(String, String)] = [("host", host), ("port", String(port)), ("dbname", database), ("user", user),
                                         ("application_name", "herald"), ("client_encoding", "UTF8")]
        if let password { pairs.append(("password", password)) }
        if let sslMode { pairs.append(("sslmode", sslMode)) }
        pairs += options
        return pairs
    }
}
