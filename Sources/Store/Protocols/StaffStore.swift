import Foundation

/// Console accounts, their sessions and the audit log of what staff changed. Failed sign-ins are not stored:
/// the web face throttles the client that sent them, in memory.
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

    /// Stores a new session; sessions past their end, or unused since before `activeSince`, go on the way.
    func createSession(_ session: StaffSession, now: Date, activeSince: Date) throws(StorageError)
    /// The session with this token hash and its account, if it has not expired, was used at or after
    /// `activeSince` (the idle lifetime) and the account still exists.
    func session(tokenHash: Data, now: Date, activeSince: Date) throws(StorageError) -> (session: StaffSession, account: StaffAccount)?
    /// The session was used at `now`: its idle lifetime starts again.
    func touchSession(tokenHash: Data, at now: Date) throws(StorageError)
    func deleteSession(tokenHash: Data) throws(StorageError)
    /// Sets the account's password hash and ends every other session of it (all but `keeping`), in one
    /// transaction; false when the account is gone.
    func changePassword(staffID: Int64, passwordHash: String, keeping tokenHash: Data?) throws(StorageError) -> Bool

    func appendAudit(_ entry: AuditEntry) throws(StorageError)
    /// Newest first.
    func auditLog(limit: Int) throws(StorageError) -> [AuditEntry]
}
