import Foundation

/// Console accounts, their sessions, failed sign-ins and the audit log of what staff changed.
///
/// Invariants, whatever the backend: one account per address (compared as stored: the caller lower-cases);
/// removing an account ends its sessions in the same transaction; a session is found only before it expires
/// and while its account exists; the audit log is append-only.
public protocol StaffStore: Sendable {
    /// Adds the account; nil when one with that address exists.
    func addStaff(_ account: StaffAccount) throws(StorageError) -> StaffAccount?
    /// Removes the account and its sessions; false when there was none.
    func removeStaff(email: String) throws(StorageError) -> Bool
    /// By address.
    func staffAccounts() throws(StorageError) -> [StaffAccount]
    func staffAccount(email: String) throws(StorageError) -> StaffAccount?

    /// A failed sign-in for `email` (whether or not such an account exists); failures older than a day go.
    func recordSignInFailure(email: String, at now: Date) throws(StorageError)
    func signInFailures(email: String, since: Date) throws(StorageError) -> Int
    /// A successful sign-in forgets the address's failures.
    func clearSignInFailures(email: String) throws(StorageError)

    /// Stores a new session; expired sessions go on the way.
    func createSession(_ session: StaffSession, now: Date) throws(StorageError)
    /// The session with this token hash and its account, if it has not expired and the account still exists.
    func session(tokenHash: Data, now: Date) throws(StorageError) -> (session: StaffSession, account: StaffAccount)?
    func deleteSession(tokenHash: Data) throws(StorageError)

    func appendAudit(_ entry: AuditEntry) throws(StorageError)
    /// Newest first.
    func auditLog(limit: Int) throws(StorageError) -> [AuditEntry]
}
