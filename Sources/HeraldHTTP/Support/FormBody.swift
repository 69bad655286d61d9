import Foundation
import Hummingbird

/// A form's fields from its body: `application/x-www-form-urlencoded`, or `multipart/form-data` (RFC 7578),
/// which RFC 8058 one-click clients send as well. Only plain fields are read; a file part is ignored.
struct FormBody {
    private(set) var fields: [String: [String]] = [:]

    enum Problem: Error { case unsupportedType, malformed }

    /// RFC 8058's body, `List-Unsubscribe=One-Click`, in either encoding.
    var isOneClick: Bool { first("List-Unsubscribe") == "One-Click" }

    private static let oneClickBody = Array("List-Unsubscribe=One-Click".utf8)

    init(_ body: [UInt8], contentType: String?) throws(Problem) {
        let type = Self.mediaType(contentType ?? "")
        // What every mailbox provider posts, many times a second: no parsing needed.
        if type == "application/x-www-form-urlencoded", body == Self.oneClickBody {
            fields = ["List-Unsubscribe": ["One-Click"]]
            return
        }
        switch type {
        case "application/x-www-form-urlencoded": fields = try Self.urlEncoded(body)
        case "multipart/form-data":
            // An over-long or odd boundary is refused before any scanning (RFC 2046's rule; see MultipartBoundary).
            guard let text = Self.parameter("boundary", in: contentType ?? ""), let boundary = MultipartBoundary(text) else { throw .malformed }
            fields = try Self.multipart(body, boundary: boundary)
        default: throw .unsupportedType
        }
    }

    /// `Application/X-WWW-Form-URLEncoded; charset=utf-8` → `application/x-www-form-urlencoded`: the type
    /// before any parameter, trimmed, ASCII lower-cased. On bytes: Foundation's trimming and lower-casing go
    /// through ICU, and this runs for every one-click request.
    static func mediaType(_ header: String) -> String {
        var bytes: [UInt8] = []
        for byte in header.utf8 {
            if byte == UInt8(ascii: ";") { break }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { continue }
            bytes.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A GET form's fields, from the request's raw query: decoded as a form is (`+` is a space), which
    /// Hummingbird's `queryParameters` does not do. A query that does not decode gives no fields.
    init(query request: Request) {
        fields = (try? Self.urlEncoded(Array((request.uri.query ?? "").utf8))) ?? [:]
    }

    func first(_ name: String) -> String? { fields[name]?.first }
    func all(_ name: String) -> [String] { fields[name] ?? [] }

    private static func urlEncoded(_ body: [UInt8]) throws(Problem) -> [String: [String]] {
        guard let text = String(bytes: body, encoding: .utf8) else { throw .malformed }
        var fields: [String: [String]] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String? { String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decode(parts[0]), let value = parts.count > 1 ? decode(parts[1]) : "" else { throw .malformed }
            fields[name, default: []].append(value)
        }
        return fields
    }

    private static let lineBreak: [UInt8] = [13, 10]
    private static let headerEnd = BytePattern([13, 10, 13, 10])

    /// The parts' plain fields, in one pass over the body: every search is linear (`BytePattern`) and limited to
    /// the part it is in, so no input makes the work grow faster than the body.
    private static func multipart(_ body: [UInt8], boundary: MultipartBoundary) throws(Problem) -> [String: [String]] {
        // A delimiter is a line break, `--` and the boundary; the first may also open the body. With a line
        // break put in front of the body one pattern finds both, and the line break before each delimiter is
        // the delimiter's, not the previous value's.
        let text = lineBreak + body
        let delimiter = BytePattern(lineBreak + boundary.delimiter)
        guard var found = delimiter.firstRange(in: text, from: 0) else { throw .malformed }  // before it: the preamble
        var fields: [String: [String]] = [:]
        while true {
            var start = found.upperBound
            if text[start...].starts(with: Array("--".utf8)) { break }  // the closing delimiter
            // Transport padding (RFC 2046) may sit between the delimiter and its line break.
            while start < text.count, text[start] == UInt8(ascii: " ") || text[start] == UInt8(ascii: "\t") { start += 1 }
            guard text[start...].starts(with: lineBreak) else { throw .malformed }
            start += lineBreak.count
            let next = delimiter.firstRange(in: text, from: start)
            var end = next?.lowerBound ?? text.count
            // The headers end at an empty line; with no headers, that is the line break that ended the delimiter.
            guard let headEnd = headerEnd.firstRange(in: text, from: start - lineBreak.count, to: end) else { throw .malformed }
            let headers = String(decoding: text[start..<max(start, headEnd.lowerBound)], as: UTF8.self)
            // With no closing delimiter the last part runs to the end of the body, as a lenient reader takes it.
            if next == nil, text[headEnd.upperBound..<end].suffix(2).elementsEqual(lineBreak) { end -= lineBreak.count }
            let disposition = headers.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") } ?? ""
            if let name = parameter("name", in: disposition), parameter("filename", in: disposition) == nil {
                fields[name, default: []].append(String(decoding: text[headEnd.upperBound..<end], as: UTF8.self))
            }
            guard let next else { break }
            found = next
        }
        return fields
    }

    /// `name=value` or `name="value"` among `;`-separated parameters.
    static func parameter(_ name: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var value = pair[1]
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}

extension FormBody {
    /// The largest form body read: every form here is a few fields.
    static let limit = 16 * 1024

    /// Reads at most `limit` bytes of the request's body (past it, Hummingbird answers 413) and parses it.
    static func read(_ request: Request, limit: Int = limit) async throws -> FormBody {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return try FormBody(Array(buffer.readableBytesView), contentType: request.headers[.contentType])
    }
}
