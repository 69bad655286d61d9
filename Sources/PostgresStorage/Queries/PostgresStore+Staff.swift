import Foundation
import Store

extension PostgresStore {
    static let staffColumns = "id, email, role, password_hash, created_at"

    static func staffAccount(_ row: PostgresRow, from first: Int = 0) throws(StorageError) -> StaffAccount {
        StaffAccount(id: row.integer(first), email: try required(row.string(first + 1), "staff_accounts.email"),
                     role: try stored(row.string(first + 2), as: StaffRole.self, column: "staff_accounts.role"),
                     passwordHash: try required(row.string(first + 3), "staff_accounts.password_hash"),
                     createdAt: try required(row.date(first + 4), "staff_accounts.created_at"))
    }

    public func addStaff(_ account: StaffAccount) throws(StorageError) -> StaffAccount? {
        try write { (db) throws(StorageError) in
            guard let id = try db.query("""
                INSERT INTO staff_accounts (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (email) DO NOTHING RETURNING id
                """, [.string(account.email), .string(account.role.rawValue), .string(account.passwordHash), .date(account.createdAt)]).first?.integer(0)
            else { return nil }
            var added = account
            added.id = id
            return added
        }
    }

    public func removeStaff(email: String) throws(StorageError) -> Bool {
        try write { (db) throws(StorageError) in try db.change("DELETE FROM staff_accounts WHERE email = $1", [.string(email)]) > 0 }
    }

    public func staffAccounts() throws(StorageError) -> [StaffAccount] {
        try read { (db) throws(StorageError) in
            var accounts: [StaffAccount] = []
            for row in try db.query("SELECT \(Self.staffColumns) FROM staff_accounts ORDER BY email COLLATE \"C\"") { accounts.append(try Self.staffAccount(row)) }
            return accounts
        }
    }

    public func staffAccount(email: String) throws(StorageError) -> StaffAccount? {
        try read { (db) throws(StorageError) in
            try db.query("SELECT \(Self.staffColumns) FROM staff_accounts WHERE email = $1", [.string(email)]).first
                .map { (row) throws(StorageError) in try Self.staffAccount(row) }
        }
    }

    public func createSession(_ session: StaffSession, now: Date, activeSince: Date) throws(StorageError) {
        try write { (db) throws(StorageError) in
            try db.query("DELETE FROM staff_sessions WHERE expires_at <= $1 OR last_seen_at < $2", [.date(now), .date(activeSince)])
            try db.query("INSERT INTO staff_sessions (token_hash, staff_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)",
                         [.bytes(session.tokenHash), .integer(session.staffID), .date(session.createdAt), .date(session.expiresAt), .date(session.lastSeenAt)])
        }
    }

    public func session(tokenHash: Data, now: Date, activeSince: Date) throws(StorageError) -> (session: StaffSession, account: StaffAccount)? {
        try read { (db) throws(StorageError) in
            guard let row = try db.query("""
                SELECT s.staff_id, s.created_at, s.expires_at, s.last_seen_at, a.id, a.email, a.role, a.password_hash, a.created_at
                FROM staff_sessions s JOIN staff_accounts a ON a.id = s.staff_id
                WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at >= $3
                """, [.bytes(tokenHash), .date(now), .date(activeSince)]).first else { return nil }
            let session = StaffSession(tokenHash: tokenHash, staffID: try required(row.integer(0), "staff_sessions.staff_id"),
                                       createdAt: try required(row.date(1), "staff_sessions.created_at"),
                                       expiresAt: try required(row.date(2), "staff_sessions.expires_at"),
                                       lastSeenAt: try required(row.date(3), "staff_sessions.last_seen_at"))
            return (session, try Self.staffAccount(row, from: 4))
        }
    }

    public func touchSession(tokenHash: Data, at now: Date) throws(StorageError) {
        try write { (db) throws(StorageError) in
            try db.query("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2", [.date(now), .bytes(tokenHash)])
        }
    }

    public func deleteSession(tokenHash: Data) throws(StorageError) {
        try write { (db) throws(StorageError) in try db.query("DELETE FROM staff_sessions WHERE token_hash = $1", [.bytes(tokenHash)]) }
    }

    public func changePassword(staffID: Int64, passwordHash: String, keeping tokenHash: Data?) throws(StorageError) -> Bool {
        try write { (db) throws(StorageError) in
            guard try db.change("UPDATE staff_accounts SET password_hash = $1 WHERE id = $2", [.string(passwordHash), .integer(staffID)]) > 0 else { return false }
            if let tokenHash {
                try db.query("DELETE FROM staff_sessions WHERE staff_id = $1 AND token_hash <> $2", [.integer(staffID), .bytes(tokenHash)])
            } else {
                try db.query("DELETE FROM staff_sessions WHERE staff_id = $1", [.integer(staffID)])
            }
            return true
        }
    }

    public func appendAudit(_ entry: AuditEntry) throws(StorageError) {
        try write { (db) throws(StorageError) in
            try db.query("INSERT INTO audit_log (staff_email, action, subject, recorded_at) VALUES ($1, $2, $3, $4)",
                         [.string(entry.staffEmail), .string(entry.action), .string(entry.subject), .date(entry.recordedAt)])
        }
    }

    public func auditLog(limit: Int) throws(StorageError) -> [AuditEntry] {
        try read { (db) throws(StorageError) in
            var entries: [AuditEntry] = []
            for row in try db.query("SELECT id, staff_email, action, subject, recorded_at FROM audit_log ORDER BY id DESC LIMIT $1", [.integer(limit)]) {
                entries.append(AuditEntry(id: row.integer(0), staffEmail: try required(row.string(1), "audit_log.staff_email"),
                                          action: try required(row.string(2), "audit_log.action"), subject: try required(row.string(3), "audit_log.subject"),
                                          recordedAt: try required(row.date(4), "audit_log.recorded_at")))
            }
            return entries
        }
    }
}
