import Crypto
import Foundation
import Mail
import Store

/// Console accounts and sign-in: what `herald staff` and `/console` call.
///
/// A session is a random 32-byte token in a cookie; the store keeps only its SHA-256, so a copy of the database
/// signs nobody in. Five failed sign-ins for an address within 15 minutes refuse further attempts for it until
/// the window has passed, whether the password is right or not, and an unknown address costs as much as a known
/// one, so sign-in tells nobody which addresses have accounts.
public struct StaffService: Sendable {
    let store: any StaffStore
    let clock: @Sendable () -> Date
    let hasher = PasswordHasher()

    public static let sessionLifetime: TimeInterval = 8 * 3600
    public static let failureWindow: TimeInterval = 15 * 60
    public static let allowedFailures = 5
    public static let minimumPasswordLength = 12

    public init(store: any StaffStore, clock: @escaping @Sendable () -> Date) {
        self.store = store
        self.clock = clock
    }

    public func add(email: String, role: StaffRole, password: String) throws(HeraldError) -> StaffAccount {
        let address = try Self.address(email)
        guard password.count >= Self.minimumPasswordLength else {
            throw HeraldError(.dataError, "the password must have at least \(Self.minimumPasswordLength) characters")
        }
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
        /// Too many failures lately: no password is checked until the window has passed.
        case throttled
    }

    public func signIn(email: String, password: String) throws(HeraldError) -> SignIn {
        let now = clock()
        let address = (try? Self.address(email)) ?? email.lowercased()
        let failures = try storage { () throws(StorageError) in try store.signInFailures(email: address, since: now.addingTimeInterval(-Self.failureWindow)) }
        guard failures < Self.allowedFailures else { return .throttled }
        // Counted as a failure before the password is checked, so guesses sent in parallel are all counted; a
        // success forgets the address's failures.
        try storage { () throws(StorageError) in try store.recordSignInFailure(email: address, at: now) }
        let account = try storage { () throws(StorageError) in try store.staffAccount(email: address) }
        // The same work for an address without an account, so timing does not tell them apart.
        let matches = hasher.verify(password, against: account?.passwordHash ?? Self.decoy)
        guard let account, let id = account.id, matches else { return .refused }
        try storage { () throws(StorageError) in try store.clearSignInFailures(email: address) }
        let token = Self.base64url(Data((0..<32).map { _ in UInt8.random(in: 0...255) }))
        let expires = now.addingTimeInterval(Self.sessionLifetime)
        try storage { () throws(StorageError) in
            try store.createSession(StaffSession(tokenHash: Self.tokenHash(token), staffID: id, createdAt: now, expiresAt: expires), now: now)
        }
        return .signedIn(token: token, account: account, expires: expires)
    }

    /// The account a session token belongs to, while the session lasts and the account exists.
    public func account(session token: String) throws(HeraldError) -> StaffAccount? {
        guard !token.isEmpty, token.utf8.count <= 64 else { return nil }
        return try storage { () throws(StorageError) in try store.session(tokenHash: Self.tokenHash(token), now: clock())?.account }
    }

    public func signOut(session token: String) throws(HeraldError) {
        try storage { () throws(StorageError) in try store.deleteSession(tokenHash: Self.tokenHash(token)) }
    }

    /// Notes who changed what: every console action that changes something calls this.
    public func audit(_ account: StaffAccount, _ action: String, _ subject: String) throws(HeraldError) {
        try storage { () throws(StorageError) in
            try store.appendAudit(AuditEntry(staffEmail: account.email, action: action, subject: subject, recordedAt: clock()))
        }
    }

    public func auditLog(limit: Int = 100) throws(HeraldError) -> [AuditEntry] {
        try storage { () throws(StorageError) in try store.auditLog(limit: limit) }
    }

    /// Sign-in names compare without case, the local part's too (unlike a recipient's stored address).
    static func address(_ text: String) throws(HeraldError) -> String {
        do { return try EmailAddress(parsing: text).normalized.lowercased() } catch {
            throw HeraldError(.dataError, "'\(text)' is not an email address: \(error.reason)")
        }
    }

    static func tokenHash(_ token: String) -> Data { Data(SHA256.hash(data: Data(token.utf8))) }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// A hash of nothing anyone knows, with the real parameters, for unknown addresses.
    private static let decoy = (try? PasswordHasher().hash(UUID().uuidString)) ?? ""
}
