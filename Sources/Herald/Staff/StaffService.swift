import Crypto
import Foundation
import Mail
import Store

/// Console accounts and sign-in: what `herald staff` and `/console` call.
///
/// A session is a random 32-byte token in a cookie; the store keeps only its SHA-256, so a copy of the database
/// signs nobody in. A session ends after `lifetimes.idle` unused or `lifetimes.absolute` after sign-in, whichever
/// comes first. Guessing is slowed down by the client that guesses (`SignInThrottle`, in the web face), never by
/// the account, so nobody can lock a staff member out; an unknown address costs as much as a known one, so
/// sign-in tells nobody which addresses have accounts. Sign-ins, failures and sign-outs go to the audit log.
public struct StaffService: Sendable {
    let store: any StaffStore
    let clock: @Sendable () -> Date
    let lifetimes: SessionLifetimes
    let hasher = PasswordHasher()

    public static let minimumPasswordLength = 12
    /// How the audit log names the account of a failed sign-in for an address that has none: never the text
    /// typed, which is the attacker's to choose.
    public static let unknownAccount = "unknown account"

    /// Failed sign-ins written to the audit log per account (and for all unknown addresses together) per hour.
    public static let failureAuditsPerHour = 20
    /// Kept in memory, keyed by an existing account's address or `unknownAccount`: a handful of entries.
    let failureAudits: FailureAuditBudget

    /// How long a session lasts: unused (`idle`) and at most (`absolute`). Using a session restarts its idle time,
    /// written at most once per `touchEvery`, so a busy page costs no write per request.
    public struct SessionLifetimes: Sendable {
        public var idle: TimeInterval
        public var absolute: TimeInterval
        public var touchEvery: TimeInterval

        public init(idle: TimeInterval = 30 * 60, absolute: TimeInterval = 12 * 3600, touchEvery: TimeInterval = 60) {
            self.idle = idle
            self.absolute = absolute
            self.touchEvery = min(touchEvery, idle / 2)
        }

        public static let standard = SessionLifetimes()
    }

    /// `failureAudits`: the process's budget of audited failures (`HeraldApp` keeps one); a new one by default.
    public init(store: any StaffStore, clock: @escaping @Sendable () -> Date, lifetimes: SessionLifetimes = .standard,
                failureAudits: FailureAuditBudget? = nil) {
        self.store = store
        self.clock = clock
        self.lifetimes = lifetimes
        self.failureAudits = failureAudits ?? FailureAuditBudget(perHour: Self.failureAuditsPerHour)
    }

    public func add(email: String, role: StaffRole, password: String) throws(HeraldError) -> StaffAccount {
        let address = try Self.address(email)
        try Self.checkRule(password)
        let account = StaffAccount(email: address, role: role, passwordHash: try hasher.hash(password), createdAt: clock())
        guard let added = try storage({ () throws(StorageError) in try store.addStaff(account) }) else {
            throw HeraldError(.dataError, "\(address) has an account already")
        }
        return added
    }

    /// Removes an account and ends its sessions. `by`: the signed-in account asking (the console), which may
    /// not remove itself, so the console always keeps an administrator who can sign in.
    public func remove(email: String, by asking: StaffAccount? = nil) throws(HeraldError) {
        let address = try Self.address(email)
        if let asking, asking.email == address {
            throw HeraldError(.conflict, "an account cannot remove itself; another administrator can, or `herald staff remove`")
        }
        guard try storage({ () throws(StorageError) in try store.removeStaff(email: address) }) else {
            throw HeraldError(.notFound, "\(address) has no account")
        }
    }

    public func accounts() throws(HeraldError) -> [StaffAccount] {
        try storage { () throws(StorageError) in try store.staffAccounts() }
    }

    public enum SignIn: Sendable {
        case signedIn(token: String, account: StaffAccount, expires: Date)
        case refused
    }

    /// Checks the password (a scrypt, whether or not the account exists) and, when it matches, opens a session.
    /// The caller throttles the client; this writes one audit line either way and nothing else on a failure.
    public func signIn(email: String, password: String) throws(HeraldError) -> SignIn {
        let now = clock()
        let address = try? Self.address(email)
        let account = try address.flatMap { (address) throws(HeraldError) in try storage { () throws(StorageError) in try store.staffAccount(email: address) } }
        // The same work for an address without an account, so timing does not tell them apart.
        let matches = hasher.verify(password, against: account?.passwordHash ?? Self.decoy)
        guard let account, let id = account.id, matches else {
            let actor = account?.email ?? Self.unknownAccount
            // The audit log can never be trimmed, and failures come at an attacker's pace (a client is throttled, but
            // addresses are many): at most `failureAuditsPerHour` lines per account, and as many for all unknown ones.
            if failureAudits.admit(actor, now: now) { try audit(actor: actor, "sign-in.failed", "console") }
            return .refused
        }
        let token = SecretsGenerator.random()
        let expires = now.addingTimeInterval(lifetimes.absolute)
        try storage { () throws(StorageError) in
            try store.createSession(StaffSession(tokenHash: Self.tokenHash(token), staffID: id, createdAt: now, expiresAt: expires),
                                    now: now, activeSince: now.addingTimeInterval(-lifetimes.idle))
        }
        try audit(account, "sign-in", "console")
        return .signedIn(token: token, account: account, expires: expires)
    }

    /// The account a session token belongs to, while the session lasts and the account exists. Using it restarts
    /// the session's idle time.
    public func account(session token: String) throws(HeraldError) -> StaffAccount? {
        guard !token.isEmpty, token.utf8.count <= 64 else { return nil }
        let now = clock(), hash = Self.tokenHash(token)
        guard let found = try storage({ () throws(StorageError) in
            try store.session(tokenHash: hash, now: now, activeSince: now.addingTimeInterval(-lifetimes.idle))
        }) else { return nil }
        if now.timeIntervalSince(found.session.lastSeenAt) >= lifetimes.touchEvery {
            try storage { () throws(StorageError) in try store.touchSession(tokenHash: hash, at: now) }
        }
        return found.account
    }

    public func signOut(session token: String) throws(HeraldError) {
        let account = try account(session: token)
        try storage { () throws(StorageError) in try store.deleteSession(tokenHash: Self.tokenHash(token)) }
        if let account { try audit(account, "sign-out", "console") }
    }

    public enum PasswordChange: Sendable, Equatable {
        case changed
        /// The current password given was wrong: nothing changed (the caller counts it as a failed guess).
        case wrongCurrentPassword
    }

    /// Changes the signed-in account's own password: the current one must be given, the new one follows
    /// `herald staff add`'s rule, and every other session of the account ends (this one stays signed in).
    public func changePassword(_ account: StaffAccount, session token: String, current: String, new: String) throws(HeraldError) -> PasswordChange {
        guard let id = account.id else { throw HeraldError(.notFound, "\(account.email) has no account") }
        guard hasher.verify(current, against: account.passwordHash) else {
            try audit(account, "password.change.failed", "wrong current password")
            return .wrongCurrentPassword
        }
        try Self.checkRule(new)
        let hash = try hasher.hash(new)
        guard try storage({ () throws(StorageError) in try store.changePassword(staffID: id, passwordHash: hash, keeping: Self.tokenHash(token)) }) else {
            throw HeraldError(.notFound, "\(account.email) has no account")
        }
        try audit(account, "password.change", "other sessions ended")
        return .changed
    }

    /// Notes who changed what: every console action that changes something calls this.
    public func audit(_ account: StaffAccount, _ action: String, _ subject: String) throws(HeraldError) {
        try audit(actor: account.email, action, subject)
    }

    /// The same for an actor that is no console account: `api:NAME` for an admin API token.
    public func audit(actor: String, _ action: String, _ subject: String) throws(HeraldError) {
        try storage { () throws(StorageError) in
            try store.appendAudit(AuditEntry(staffEmail: actor, action: action, subject: subject, recordedAt: clock()))
        }
    }

    public func auditLog(limit: Int = 100) throws(HeraldError) -> [AuditEntry] {
        try storage { () throws(StorageError) in try store.auditLog(limit: limit) }
    }

    /// The one password rule, for `herald staff add`, the console's staff form and a password change.
    static func checkRule(_ password: String) throws(HeraldError) {
        guard password.count >= minimumPasswordLength else {
            throw HeraldError(.dataError, "the password must have at least \(minimumPasswordLength) characters")
        }
    }

    /// Sign-in names compare without case, the local part's too (unlike a recipient's stored address).
    static func address(_ text: String) throws(HeraldError) -> String {
        do { return try EmailAddress(parsing: text).normalized.lowercased() } catch {
            throw HeraldError(.dataError, "'\(text)' is not an email address: \(error.reason)")
        }
    }

    static func tokenHash(_ token: String) -> Data { Data(SHA256.hash(data: Data(token.utf8))) }

    /// A hash of nothing anyone knows, with the real parameters, for unknown addresses.
    private static let decoy = (try? PasswordHasher().hash(UUID().uuidString)) ?? ""
}
