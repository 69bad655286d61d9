import Foundation
import GRDB
import Store
#if canImport(GRDBSQLite)
import GRDBSQLite
#endif

/// The last-moment check on SQLite: one prepared statement, bound and stepped through SQLite's C interface.
///
/// The check runs once per message, right before it is handed to SMTP; through the shared reader pool it cost
/// a pool checkout, a transaction and GRDB's statement bookkeeping each time. For a database file each sender
/// thread opens a connection of its own, where the check is one statement step that SQLite runs as its own read
/// transaction, so it sees every commit made before it, by any process. An in-memory store (tests) has no file
/// to open: the same statement runs on the store's own connection. Either way the SQL, the binding and the
/// reading of the answer are the ones below.
final class SQLitePermissionReader: SendPermissionReader {
    private let store: SQLiteStore
    private var connection: OpaquePointer?
    private var statement: OpaquePointer?

    /// -- name: send-permission
    /// A person's consent, suppression and campaign; or, for a confirmation (a negative id, `ConfirmationJobID`),
    /// whether its registration request still waits, and its address's suppression (the last column says which).
    static let sql = """
        SELECT (SELECT granted FROM consents WHERE recipient_id = r.id AND purpose = ?1),
               (SELECT reason FROM suppressions s WHERE s.address_hash = r.address_hash),
               (SELECT status FROM campaigns WHERE id = ?2),
               0
        FROM recipients r WHERE r.id = ?3
        UNION ALL
        SELECT NULL,
               (SELECT reason FROM suppressions s WHERE s.address_hash = q.address_hash),
               (SELECT status FROM campaigns WHERE id = ?2),
               1
        FROM registration_requests q WHERE q.id = -?3
        """

    init(store: SQLiteStore) throws(StorageError) {
        self.store = store
        guard let path = store.path else { return }
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &opened, flags, nil) == SQLITE_OK, let opened else {
            let message = opened.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite3_close(opened)
            throw StorageError(path: path, message: message)
        }
        connection = opened
        sqlite3_busy_timeout(opened, 10_000)
        // Reads only; pages through the memory map instead of a read() each.
        sqlite3_exec(opened, "PRAGMA query_only = 1; PRAGMA mmap_size = 268435456", nil, nil, nil)
        guard sqlite3_prepare_v3(opened, Self.sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK else {
            throw Self.failure(opened, path: path)
        }
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close(connection)
    }

    func permission(recipientID: Int64, purpose: Purpose?, campaignID: Int64) throws(StorageError) -> SendPermission {
        if let statement {
            return try Self.check(statement, recipientID: recipientID, purpose: purpose, campaignID: campaignID, path: store.path)
        }
        return try store.read { db in
            try Self.check(db.cachedStatement(sql: Self.sql).sqliteStatement, recipientID: recipientID, purpose: purpose,
                           campaignID: campaignID, path: nil)
        }
    }

    /// Binds, steps once and reads the answer; leaves the statement reset for the next message.
    private static func check(_ statement: OpaquePointer, recipientID: Int64, purpose: Purpose?, campaignID: Int64,
                              path: String?) throws(StorageError) -> SendPermission {
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        if let purpose {
            sqlite3_bind_text(statement, 1, purpose.rawValue, -1, transient)
        }
        sqlite3_bind_int64(statement, 2, campaignID)
        sqlite3_bind_int64(statement, 3, recipientID)
        switch sqlite3_step(statement) {
        case SQLITE_DONE:
            return .noRecipient
        case SQLITE_ROW:
            let granted = sqlite3_column_type(statement, 0) == SQLITE_NULL ? false : sqlite3_column_int64(statement, 0) != 0
            // An unknown reason is still a suppression: failing the check (the job waits) is safe, sending is not.
            let reason: SuppressionReason?
            do {
                reason = try sqlite3_column_text(statement, 1).map { try stored(String(cString: $0), as: SuppressionReason.self, column: "suppressions.reason") }
            } catch {
                throw StorageError(path: path, underlying: error)
            }
            let status = sqlite3_column_text(statement, 2).map { String(cString: $0) }
            return SendPermission(recipientExists: true, consentGranted: purpose == nil ? nil : granted,
                                  suppressionReason: reason, campaignCancelled: status == CampaignStatus.cancelled.rawValue,
                                  registrationWaiting: sqlite3_column_int64(statement, 3) != 0)
        default:
            throw failure(sqlite3_db_handle(statement), path: path)
        }
    }

    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    private static func failure(_ connection: OpaquePointer?, path: String?) -> StorageError {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "unknown error"
        return StorageError(path: path, message: message)
    }
}

extension SQLiteStore {
    public func makePermissionReader() throws(StorageError) -> any SendPermissionReader {
        try SQLitePermissionReader(store: self)
    }
}
