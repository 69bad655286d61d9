import CLibPQ
import Foundation
import Store

/// One connection to PostgreSQL through libpq, used by one thread at a time. Statements go with their parameters
/// as text (`PQexecParams`), so no value is ever spliced into SQL; results are read as text too, in the session's
/// fixed settings (UTC, ISO dates, hex bytea), which `PostgresRow` turns back into values.
final class PostgresConnection {
    let handle: OpaquePointer
    let settings: PostgresSettings
    /// Statements that have succeeded on this connection: a caller can tell whether anything reached the
    /// server before it broke.
    private(set) var succeeded = 0

    init(_ settings: PostgresSettings) throws(StorageError) {
        self.settings = settings
        let pairs = settings.keywordsAndValues
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer { (keywords + values).forEach { free($0) } }
        var keywordPointers = keywords.map { UnsafePointer($0) } + [nil]
        var valuePointers = values.map { UnsafePointer($0) } + [nil]
        guard let handle = PQconnectdbParams(&keywordPointers, &valuePointers, 0) else {
            throw StorageError(path: settings.description, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.clean(String(cString: PQerrorMessage(handle)), settings: settings)
            PQfinish(handle)
            throw StorageError(path: settings.description, message: message)
        }
        self.handle = handle
        try execute("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET bytea_output = 'hex'; SET IntervalStyle = 'iso_8601'; SET client_min_messages = warning")
    }

    deinit { PQfinish(handle) }

    /// Whether the connection still works; a server restart breaks it, and the pool then opens a new one.
    var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Runs one statement with its parameters and returns its rows (none for a statement that returns none).
    @discardableResult
    func query(_ sql: String, _ parameters: [PostgresValue] = []) throws(StorageError) -> [PostgresRow] {
        let result = withParameters(parameters) { PQexecParams(handle, sql, Int32(parameters.count), nil, $0, nil, nil, 0) }
        defer { PQclear(result) }
        return try rows(of: result, sql: sql)
    }

    /// Runs a statement and returns how many rows it inserted, updated or deleted.
    @discardableResult
    func change(_ sql: String, _ parameters: [PostgresValue] = []) throws(StorageError) -> Int {
        let result = withParameters(parameters) { PQexecParams(handle, sql, Int32(parameters.count), nil, $0, nil, nil, 0) }
        defer { PQclear(result) }
        _ = try rows(of: result, sql: sql)
        return PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
    }

    /// The parameters as the C strings libpq reads, alive for the length of `body`.
    private func withParameters<T>(_ parameters: [PostgresValue], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let texts = parameters.map { $0.text.map { strdup($0) } ?? nil }
        defer { texts.forEach { free($0) } }
        let pointers = texts.map { $0.map { UnsafePointer($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Prepares `sql` once under `name`, for `run(prepared:)`: the statements on the send path skip parsing
    /// and planning each time.
    func prepare(_ name: String, _ sql: String) throws(StorageError) {
        let result = PQprepare(handle, name, sql, 0, nil)
        defer { PQclear(result) }
        _ = try rows(of: result, sql: sql)
    }

    /// Runs a statement prepared under `name` with its parameters.
    func run(prepared name: String, _ parameters: [PostgresValue]) throws(StorageError) -> [PostgresRow] {
        let result = withParameters(parameters) { PQexecPrepared(handle, name, Int32(parameters.count), $0, nil, nil, 0) }
        defer { PQclear(result) }
        return try rows(of: result, sql: name)
    }

    /// Streams `lines` (COPY's text format, each ending in a newline) into `COPY … FROM STDIN`: one round trip
    /// for a whole import batch instead of one per row.
    func copy(_ sql: String, lines: String) throws(StorageError) {
        let start = PQexec(handle, sql)
        defer { PQclear(start) }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try rows(of: start, sql: sql)
            throw failure("COPY did not start")
        }
        var bytes = Array(lines.utf8)
        let sent = bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                buffer.isEmpty ? 1 : PQputCopyData(handle, $0, Int32(buffer.count))
            }
        }
        guard sent == 1, PQputCopyEnd(handle, nil) == 1 else { throw failure("COPY data not sent") }
        var problem: StorageError?
        while let result = PQgetResult(handle) {
            do { _ = try rows(of: result, sql: sql) } catch { problem = error }
            PQclear(result)
        }
        if let problem { throw problem }
    }

    func failure(_ fallback: String) -> StorageError {
        let text = String(cString: PQerrorMessage(handle))
        return StorageError(path: settings.description, message: Self.clean(text.isEmpty ? fallback : text, settings: settings))
    }

    /// Runs statements with no parameters, several at once (a migration's script).
    func execute(_ sql: String) throws(StorageError) {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        _ = try rows(of: result, sql: sql)
    }

    /// `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: (PostgresConnection) throws(StorageError) -> T) throws(StorageError) -> T {
        try execute("BEGIN")
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func rows(of result: OpaquePointer?, sql: String) throws(StorageError) -> [PostgresRow] {
        guard let result else { throw StorageError(path: settings.description, message: Self.clean(String(cString: PQerrorMessage(handle)), settings: settings)) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            succeeded += 1
            return []
        case PGRES_TUPLES_OK:
            succeeded += 1
            let rowCount = PQntuples(result)
            let columnCount = PQnfields(result)
            var rows: [PostgresRow] = []
            rows.reserveCapacity(Int(rowCount))
            for row in 0..<rowCount {
                var values: [String?] = []
                values.reserveCapacity(Int(columnCount))
                for column in 0..<columnCount {
                    values.append(PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column)))
                }
                rows.append(PostgresRow(values: values))
            }
            return rows
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
            let message = PQresultErrorMessage(result).map { String(cString: $0) } ?? "unknown error"
            throw StorageError(path: settings.description, message: Self.clean(message, settings: settings) + (state.isEmpty ? "" : " (SQLSTATE \(state))"))
        }
    }

    /// libpq's message on one line, and never the password (a server may echo what it was given).
    static func clean(_ message: String, settings: PostgresSettings) -> String {
        var text = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
        if let password = settings.password, !password.isEmpty { text = text.replacingOccurrences(of: password, with: "…") }
        return text
    }
}

/// A parameter, as PostgreSQL's text format has it.
struct PostgresValue {
    var text: String?

    static let null = PostgresValue(text: nil)
    static func string(_ value: String?) -> PostgresValue { PostgresValue(text: value) }
    static func integer(_ value: Int64?) -> PostgresValue { PostgresValue(text: value.map(String.init)) }
    static func integer(_ value: Int?) -> PostgresValue { PostgresValue(text: value.map(String.init)) }
    static func bool(_ value: Bool?) -> PostgresValue { PostgresValue(text: value.map { $0 ? "t" : "f" }) }
    static func bytes(_ value: Data?) -> PostgresValue { PostgresValue(text: value.map(hex)) }

    /// `\x` and two hex digits a byte: bytea's input format.
    private static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        bytes.reserveCapacity(2 + data.count * 2)
        for byte in data {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    static func date(_ value: Date?) -> PostgresValue { PostgresValue(text: value.map(PostgresRow.timestampText)) }

    /// An array literal (`{1,"two",NULL}`), for `= ANY($1)` and `unnest($1::…[])`: a whole batch in one
    /// parameter.
    static func array(_ values: [String?]) -> PostgresValue {
        let elements = values.map { value -> String in
            guard let value else { return "NULL" }
            return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return PostgresValue(text: "{" + elements.joined(separator: ",") + "}")
    }

    static func integers(_ values: [Int64]) -> PostgresValue { PostgresValue(text: "{" + values.map(String.init).joined(separator: ",") + "}") }
}

/// One row of a result, its values as PostgreSQL wrote them in text.
struct PostgresRow {
    let values: [String?]

    func string(_ column: Int) -> String? { values[column] }
    func integer(_ column: Int) -> Int64? { values[column].flatMap { Int64($0) } }
    func int(_ column: Int) -> Int? { values[column].flatMap { Int($0) } }
    func bool(_ column: Int) -> Bool? { values[column].map { $0 == "t" } }

    /// `\x0a1b…` (bytea's hex output).
    func bytes(_ column: Int) -> Data? {
        guard let text = values[column], text.hasPrefix("\\x") else { return nil }
        var data = Data(capacity: (text.utf8.count - 2) / 2)
        var high: UInt8?
        for byte in text.utf8.dropFirst(2) {
            let nibble: UInt8 = switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            default: 0
            }
            if let first = high { data.append(first << 4 | nibble); high = nil } else { high = nibble }
        }
        return data
    }

    /// `2026-12-03 09:43:09.123456+00`, as `timestamptz` prints in UTC with ISO DateStyle.
    func date(_ column: Int) -> Date? {
        values[column].flatMap(PostgresTimestamp.parse)
    }

    static func timestampText(_ date: Date) -> String {
        PostgresTimestamp.format(date)
    }
}
