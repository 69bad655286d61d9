import CLibPQ
import Foundation
import Store

/// One connection to PostgreSQL through libpq, used by one thread at a time. Statements go with their parameters
/// as text (`PQexecParams`), so no value is ever spliced into SQL; results are read as text too, in the session's
/// fixed settings (UTC, ISO dates, hex bytea), which `PostgresRow` turns back into values.
final class PostgresConnection {
    private let handle: OpaquePointer
    let settings: PostgresSettings

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
        try execute("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET bytea_output = 'hex'; SET IntervalStyle = 'iso_8601'")
    }

    deinit { PQfinish(handle) }

    /// Whether the connection still works; a server restart breaks it, and the pool then opens a new one.
    var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Runs one statement with its parameters and returns its rows (none for a statement that returns none).
    @discardableResult
    func query(_ sql: String, _ parameters: [PostgresValue] = []) throws(StorageError) -> [PostgresRow] {
        let texts = parameters.map { $0.text.map { strdup($0) } ?? nil }
        defer { texts.forEach { free($0) } }
        var pointers = texts.map { $0.map { UnsafePointer($0) } }
        let result = PQexecParams(handle, sql, Int32(parameters.count), nil, &pointers, nil, nil, 0)
        defer { PQclear(result) }
        return try rows(of: result, sql: sql)
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
            return []
        case PGRES_TUPLES_OK:
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
    static func bytes(_ value: Data?) -> PostgresValue { PostgresValue(text: value.map { "\\x" + $0.map { String(format: "%02x", $0) }.joined() }) }
    static func date(_ value: Date?) -> PostgresValue { PostgresValue(text: value.map(PostgresRow.timestampText)) }
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
        guard var text = values[column] else { return nil }
        if text.hasSuffix("+00") { text.removeLast(3) }
        let parts = text.split(separator: ".")
        guard let base = Self.parser.date(from: String(parts[0])) else { return nil }
        let fraction = parts.count > 1 ? (Double("0." + parts[1]) ?? 0) : 0
        return base.addingTimeInterval(fraction)
    }

    static func timestampText(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        let micros = Int(((date.timeIntervalSince1970 - whole) * 1_000_000).rounded())
        let fraction = String(micros)
        return parser.string(from: Date(timeIntervalSince1970: whole)) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "+00"
    }

    private static let parser: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }()
}
