import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#endif

/// A prepared statement driven through SQLite's C interface, for the import's hot loop only.
///
/// GRDB prepares it (with its error reporting); binding and stepping go straight to SQLite, which skips the
/// boxing of every argument into a `DatabaseValue` and GRDB's per-statement bookkeeping: about half the
/// cost of a small insert. Everything else in the store goes through GRDB. Valid inside the one `bulkWrite`
/// transaction it was made in.
final class BulkStatement {
    private let statement: Statement
    private let database: Database
    private var handle: OpaquePointer { statement.sqliteStatement }

    /// SQLite copies bound text and blobs (`SQLITE_TRANSIENT`), so Swift's buffers may go away after binding.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ database: Database, sql: String) throws {
        self.database = database
        self.statement = try database.makeStatement(sql: sql)
    }

    enum Value {
        case integer(Int64)
        case text(String)
        case blob(Data)
        case null
    }

    /// Runs a statement that returns no rows; returns how many rows it inserted, updated or deleted.
    @discardableResult
    func execute(_ values: Value...) throws -> Int {
        try bind(values)
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw failure(code) }
        return Int(sqlite3_changes(database.sqliteConnection))
    }

    /// The row id of the last row inserted on this connection.
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(database.sqliteConnection) }

    /// Runs the statement and reads its first row, if any, with `read`; the statement is reset before this
    /// returns, so it holds no cursor open while the transaction goes on.
    func firstRow<T>(_ values: Value..., read: (Row) -> T) throws -> T? {
        try bind(values)
        defer { sqlite3_reset(handle) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return read(Row(handle: handle))
        case SQLITE_DONE: return nil
        case let code: throw failure(code)
        }
    }

    /// The current row of a stepped statement; only valid inside `firstRow`'s `read`.
    struct Row {
        fileprivate let handle: OpaquePointer
        func integer(_ column: Int32) -> Int64? {
            sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
        }
        func text(_ column: Int32) -> String? {
            sqlite3_column_text(handle, column).map { String(cString: $0) }
        }
    }

    private func bind(_ values: [Value]) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .text(let text): code = sqlite3_bind_text(handle, index, text, -1, Self.transient)
            case .blob(let data): code = data.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), Self.transient) }
            case .null: code = sqlite3_bind_null(handle, index)
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let message = database.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        sqlite3_reset(handle)
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}

extension BulkStatement.Value {
    init(_ text: String?) { self = text.map(Self.text) ?? .null }
    init(_ number: Int?) { self = number.map { .integer(Int64($0)) } ?? .null }
}
