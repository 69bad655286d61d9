import Foundation

/// One record of a CSV file, with the line it starts on (a quoted field may span lines).
public struct CSVRecord: Sendable, Equatable {
    public var fields: [String]
    public var line: Int
    /// Set when the record could not be read as CSV; `fields` is then incomplete.
    public var problem: String?
}

/// Reads RFC 4180 CSV as a stream: a fixed-size buffer, so memory stays flat for any file size.
/// Accepts LF or CRLF line ends and a UTF-8 byte-order mark; blank lines are skipped.
///
/// Hand-written rather than taken from a CSV package: imports need the starting line of every record for
/// their error messages, a byte-level loop for speed, and constant memory, together.
public final class CSVReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var line = 1
    public private(set) var bytesRead = 0
    public let fileSize: Int

    public init(path: String) throws(HeraldError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw HeraldError(.dataError, "\(path): \(exists ? "cannot be read" : "no such file")")
        }
        self.handle = handle
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        self.fileSize = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        refill()
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    deinit { try? handle.close() }

    private func refill() {
        let chunk = handle.readData(ofLength: 1 << 20)
        bytesRead += chunk.count
        if chunk.isEmpty { atEnd = true }
        buffer.removeFirst(position)
        buffer.append(contentsOf: chunk)
        position = 0
    }

    /// The next byte, refilling the buffer as needed; nil at the end of the file.
    @inline(__always) private func nextByte() -> UInt8? {
        if position == buffer.count {
            if atEnd { return nil }
            refill()
            if position == buffer.count { return nil }
        }
        defer { position += 1 }
        return buffer[position]
    }

    @inline(__always) private func peekByte() -> UInt8? {
        if position == buffer.count {
            if atEnd { return nil }
            refill()
            if position == buffer.count { return nil }
        }
        return buffer[position]
    }

    public func next() -> CSVRecord? {
        while true {
            guard let record = readRecord() else { return nil }
            // A blank line is no record.
            if record.problem == nil, record.fields.count == 1, record.fields[0].isEmpty { continue }
            return record
        }
    }

    private func readRecord() -> CSVRecord? {
        guard peekByte() != nil else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var problem: String?
        var quoted = false, wasQuoted = false

        func finishField() {
            if let text = String(validating: field, as: UTF8.self) {
                fields.append(text)
            } else {
                fields.append("")
                problem = problem ?? "field \(fields.count) is not valid UTF-8"
            }
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }

        while let byte = nextByte() {
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if peekByte() == UInt8(ascii: "\"") {
                        position += 1
                        field.append(byte)
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                finishField()
            case 0x0A:
                line += 1
                if field.last == 0x0D, !wasQuoted { field.removeLast() }
                finishField()
                return CSVRecord(fields: fields, line: startLine, problem: problem)
            case 0x0D where peekByte() == 0x0A:
                continue
            case UInt8(ascii: "\"") where field.isEmpty && !wasQuoted:
                quoted = true
                wasQuoted = true
            default:
                field.append(byte)
            }
        }
        if quoted { problem = problem ?? "a quoted field is not closed before the end of the file" }
        finishField()
        return CSVRecord(fields: fields, line: startLine, problem: problem)
    }
}
