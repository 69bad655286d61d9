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
        /// What one client or request may cost the server (`http.max_connections`, the timeouts, `http.max_queued_work`).
        public struct Limits: Sendable {
            public var maxConnections: Int
            /// From a connection's first byte to the end of its request head.
            public var headerTimeout: Duration
            /// From the end of the head to the end of the body.
            public var bodyTimeout: Duration
            /// A kept-alive connection with no request in progress.
            public var idleTimeout: Duration
            /// Requests that may wait for the blocking pool at once; past it, 503.
            public var maxBlockingQueue: Int
        }

        public var listen: String
        public var adminToken: String?
        /// `http.session_key`: signs the web face's CSRF values and registration challenges. Rotatable: a new key
        /// only makes forms shown before it (at most a day old) ask to be sent again. Nil only for commands
        /// that serve nothing (`serve` refuses to start without one).
        public var sessionKey: [UInt8]?
        /// `http.metrics_token`: `/metrics` answers only with it; nil: no `/metrics`.
        public var metricsToken: String?
        /// `http.trusted_proxies`: peers whose `X-Forwarded-For` is believed (exact addresses).
        public var trustedProxies: [String]
        public var limits: Limits
    }

    /// `console.*`: how long a staff session lasts, and how many sign-ins may wait for their password check.
    public struct Console: Sendable {
        /// A session unused for this long ends.
        public var sessionIdle: Duration
        /// A session ends this long after its sign-in, however much it is used.
        public var sessionLifetime: Duration
        /// Sign-ins and password changes that may wait for a password check (past it: 503).
        public var signInQueue: Int
        /// `console.test_recipients`: addresses besides the staff member's own that a test send may go to.
        public var testRecipients: [String] = []
    }

    /// `bounce.*`: the signed return path. With `domain` set, each message's envelope sender is
    /// `b-TOKEN@domain`, the token naming its outbox job (`ReturnPathToken`), signed with `keys` (the first signs).
    public struct Bounce: Sendable {
        public var domain: String
        public var keys: [[UInt8]]
    }

    /// nil: the envelope sender is `sender.from`.
    public var bounce: Bounce?

    /// `recipients.attributes`: the names of the company's own fields about a person (`country`,
    /// `upgrade_code`), imported from CSV columns of those names and the API, usable in words as
    /// `{{attributes.NAME}}` and in segments as `attribute:NAME=VALUE`. `first_name` among them is the first-name
    /// column, kept on its own.
    public var attributes: [String] = []

    /// `register.*`: what the public registration form may cost and whom it may mail.
    public struct Register: Sendable {
        /// Confirmation mails per rolling hour (`register.limits.*`).
        public var perMailbox: Int
        public var perDomain: Int
        public var total: Int
        /// Of `total`, how many may come from submissions without a solved challenge (a browser without JavaScript).
        public var withoutChallenge: Int
        /// `register.challenge_cost`: the largest number the form's proof of work may have to try (SHA-256 each).
        public var challengeCost: Int
        /// `register.send_share`: the part of every batch the worker claims that confirmation mails may take while
        /// campaigns wait, and that they keep while campaigns flood (0.25: a quarter).
        public var sendShare: Double
        /// `register.products`: the products the public form offers to register; nil (not set) offers the products
        /// Herald knows (those people have registered).
        public var products: [String]?
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
    public var register: Register
    public var console: Console
    public var retry: RetryPolicy
    public var policy: Policy
    /// `outbox.journal_sync`: each line of the send journal is flushed to disk (see `AcceptedJournal`).
    public var journalSync: Bool
    /// `outbox.journal_dir`: the send journal's folder, on this machine's disk (default: beside the SQLite file,
    /// or `var/herald.accepted` with PostgreSQL).
    public var journalDirectory: String
    /// `log.level`: the least severe level logged (default notice: only what needs attention).
    public var logLevel: Logger.Level
    /// Where each secret came from (`file:line: key` or its variable), for the start-up check's one line.
    public var secretOrigins: [String: String] = [:]
}
