import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#endif

/// The last-moment check on a connection of its own: one per sender thread, one prepared statement, driven
/// through SQLite's C interface.
///
/// The check runs once per message, right before it is handed to SMTP; through the shared reader pool it cost
/// a pool checkout, a transaction and GRDB's statement bookkeeping each time. Here it is one statement step,
/// which SQLite runs as its own read transaction, so it sees every commit made before it, by any process.
public final class PermissionReader {
    private let store: HeraldStore
    private var connection: OpaquePointer?
    private var statement: OpaquePointer?

    /// Falls back to the store's own reads for an in-memory store (tests), which has no file to open.
    init(store: HeraldStore) throws(StorageError) {
        self.store = store
        guard let path = store.path else { return }
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &opened, flags, nil) == SQLITE_OK, let opened else {
            let message = opened.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite3_close(opened)
            var error = StorageError(message: message)
            error.path = path
            throw error
        }
        connection = opened
        sqlite3_busy_timeout(opened, 10_000)
        // Reads only; pages through the memory map instead of a read() each.
        sqlite3_exec(opened, "PRAGMA query_only = 1; PRAGMA mmap_size = 268435456", nil, nil, nil)
        let sql = """
            SELECT (SELECT granted FROM consents WHERE recipient_id = r.id AND purpose = ?1),
                   (SELECT reason FROM suppressions s WHERE s.address_hash = r.address_hash),
                   (SELECT status FROM campaigns WHERE id = ?2)
            FROM recipients r WHERE r.id = ?3
            """
        guard sqlite3_prepare_v3(opened, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK else {
            throw failure()
        }
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close(connection)
    }

    /// What the last-moment check found: the recipient's consent for `purpose` (nil: none asked), whether the
    /// address is suppressed, and whether the campaign was cancelled.
    public func permission(recipientID: Int64, purpose: String?, campaignID: Int64) throws(StorageError) -> SendPermission {
        guard let statement else {
            return try store.sendPermission(recipientID: recipientID, purpose: purpose, campaignID: campaignID)
        }
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        if let purpose {
            sqlite3_bind_text(statement, 1, purpose, -1, Self.transient)
        }
        sqlite3_bind_int64(statement, 2, campaignID)
        sqlite3_bind_int64(statement, 3, recipientID)
        switch sqlite3_step(statement) {
        case SQLITE_DONE:
            return SendPermission(recipientExists: false, consentGranted: nil, suppressionReason: nil)
        case SQLITE_ROW:
            let granted = sqlite3_column_type(statement, 0) == SQLITE_NULL ? false : sqlite3_column_int64(statement, 0) != 0
            let reason = sqlite3_column_text(statement, 1).map { String(cString: $0) }
            let status = sqlite3_column_text(statement, 2).map { String(cString: $0) }
            return SendPermission(recipientExists: true, consentGranted: purpose == nil ? nil : granted,
                                  suppressionReason: reason, campaignCancelled: status == "cancelled")
        default:
            throw failure()
        }
    }

    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    private func failure() -> StorageError {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "unknown error"
        var error = StorageError(message: message)
        error.path = store.path
        return error
    }
}

extension HeraldStore {
    /// A reader for the last-moment check, for one thread.
    public func makePermissionReader() throws(StorageError) -> PermissionReader {
        try PermissionReader(store: self)
    }
}
