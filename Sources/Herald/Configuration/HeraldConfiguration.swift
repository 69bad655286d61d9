import Foundation
import Logging
import Mail
import PostgresStorage
import SMTP
import Tokens

/// Herald's settings, validated: every field here has already been checked, so the rest of the program
/// never meets a half-valid value. See `config/herald.yaml` for what each one means.
public struct HeraldConfiguration: Sendable {
    public enum TransportKind: String, Sendable, CaseIterable {
        case smtp, file
    }

    public struct Sender: Sendable {
        public var from: Mailbox
        public var replyTo: Mailbox?
        public var postalAddress: String
        public var listID: ListID
    }

    public struct SMTP: Sendable {
        public var settings: SMTPSettings
        public var connections: Int
        /// Messages per second across all connections; 0 is unlimited.
        public var rate: Double
        /// Messages in flight at once to one recipient domain.
        public var domainConcurrency: Int
    }

    public struct Policy: Sendable {
        /// `policy.notice_days`: how many days ahead of its effective date a material change must be announced.
        public var noticeDays: Int
        /// `policy.url`: where the full privacy policy is read (default: `herald serve`'s own `/policy`).
        public var url: String
    }

    public struct HTTP: Sendable {
        public var listen: String
        public var adminToken: String?
    }

    public var path: String
    /// `database` as written: an SQLite file path, or a PostgreSQL URL (then `postgres` is set).
    public var database: String
    /// The PostgreSQL server `database` names, with the password from the URL or `HERALD_DATABASE_PASSWORD`.
    public var postgres: PostgresSettings?
    /// The database as messages name it: the SQLite path, or `USER@HOST:PORT/DB` (never a password).
    public var databaseDescription: String { postgres.map { "postgres://\($0.description)" } ?? database }
    public var templates: String
    public var fileDir: String
    public var sender: Sender
    public var publicURL: String
    public var transport: TransportKind
    public var smtp: SMTP
    /// Nil when no key file is configured: messages then go unsigned.
    public var dkim: DKIMSigner?
    public var tokenKeys: [TokenKey]
    public var suppressionKey: [UInt8]
    public var http: HTTP
    public var retry: RetryPolicy
    public var policy: Policy
    /// `outbox.journal_sync`: each line of the send journal is flushed to disk (see `AcceptedJournal`).
    public var journalSync: Bool
    /// `outbox.journal_dir`: the send journal's folder, on this machine's disk (default: beside the SQLite file,
    /// or `var/herald.accepted` with PostgreSQL).
    public var journalDirectory: String
    /// `log.level`: the least severe level logged (default notice: only what needs attention).
    public var logLevel: Logger.Level
}
