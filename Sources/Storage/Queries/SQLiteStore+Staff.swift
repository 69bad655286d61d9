import Foundation
import GRDB
import Store

extension SQLiteStore {
    static let staffColumns = "id, email, role, password_hash, created_at"

    static func staffAccount(_ row: Row) throws -> StaffAccount {
        StaffAccount(id: row[0], email: row[1], role: try stored(row[2], as: StaffRole.self, column: "staff_accounts.role"),
                     passwordHash: row[3], createdAt: row[4])
    }

    public func addStaff(_ account: StaffAccount) throws(StorageError) -> StaffAccount? {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO staff_accounts (email, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [account.email, account.role.rawValue, account.passwordHash, account.createdAt])
            guard db.changesCount > 0 else { return nil }
            var added = account
            added.id = db.lastInsertedRowID
            return added
        }
    }

    public func removeStaff(email: String) throws(StorageError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM staff_accounts WHERE email = ?", arguments: [email])
            return db.changesCount > 0
        }
    }

    public func staffAccounts() throws(StorageError) -> [StaffAccount] {
        try read { db in try Row.fetchAll(db, sql: "SELECT \(Self.staffColumns) FROM staff_accounts ORDER BY email").map(Self.staffAccount) }
    }

    public func staffAccount(email: String) throws(StorageError) -> StaffAccount? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.staffColumns) FROM staff_accounts WHERE email = ?", arguments: [email]).map(Self.staffAccount)
        }
    }

    public func createSession(_ session: StaffSession, now: Date, activeSince: Date) throws(StorageError) {
        try write { db in
            try db.execute(sql: "DELETE FROM staff_sessions WHERE expires_at <= ? OR COALESCE(last_seen_at, created_at) < ?", arguments: [now, activeSince])
            try db.execute(sql: "INSERT INTO staff_sessions (token_hash, staff_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [session.tokenHash, session.staffID, session.createdAt, session.expiresAt, session.lastSeenAt])
        }
    }

    public func session(tokenHash: Data, now: Date, activeSince: Date) throws(StorageError) -> (session: StaffSession, account: StaffAccount)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.staff_id, s.created_at, s.expires_at, COALESCE(s.last_seen_at, s.created_at), a.id, a.email, a.role, a.password_hash, a.created_at
                FROM staff_sessions s JOIN staff_accounts a ON a.id = s.staff_id
                WHERE s.token_hash = ? AND s.expires_at > ? AND COALESCE(s.last_seen_at, s.created_at) >= ?
                """, arguments: [tokenHash, now, activeSince]) else { return nil }
            let account = StaffAccount(id: row[4], email: row[5], role: try stored(row[6], as: StaffRole.self, column: "staff_accounts.role"),
                                       passwordHash: row[7], createdAt: row[8])
            return (StaffSession(tokenHash: tokenHash, staffID: row[0], createdAt: row[1], expiresAt: row[2], lastSeenAt: row[3]), account)
        }
    }

    public func touchSession(tokenHash: Data, at now: Date) throws(StorageError) {
        try write { db in try db.execute(sql: "UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ?", arguments: [now, tokenHash]) }
    }

    public func deleteSession(tokenHash: Data) throws(StorageError) {
        try write { db in try db.execute(sql: "DELETE FROM staff_sessions WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    public func changePassword(staffID: Int64, passwordHash: String, keeping tokenHash: Data?) throws(StorageError) -> Bool {
        try write { db in
            try db.execute(sql: "UPDATE staff_accounts SET password_hash = ? WHERE id = ?", arguments: [passwordHash, staffID])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM staff_sessions WHERE staff_id = ? AND token_hash IS NOT ?", arguments: [staffID, tokenHash])
            return true
        }
    }

    public func appendAudit(_ entry: AuditEntry) throws(StorageError) {
        try write { db in
            try db.execute(sql: "INSERT INTO audit_log (staff_email, action, subject, recorded_at) VALUES (?, ?, ?, ?)",
                           arguments: [entry.staffEmail, entry.action, entry.subject, entry.recordedAt])
        }
    }

    public func auditLog(limit: Int) throws(StorageError) -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, staff_email, action, subject, recorded_at FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map { AuditEntry(id: $0[0], staffEmail: $0[1], action: $0[2], subject: $0[3], recordedAt: $0[4]) }
        }
    }
}
