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
            guard let boundary = Self.parameter("boundary", in: contentType ?? "") else { throw .malformed }
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

    private static func multipart(_ body: [UInt8], boundary: String) throws(Problem) -> [String: [String]] {
        let delimiter = Array("--\(boundary)".utf8)
        var fields: [String: [String]] = [:]
        var sections = split(body, on: delimiter)
        guard sections.count >= 2 else { throw .malformed }
        sections.removeFirst()  // the preamble
        for section in sections {
            var part = section[...]
            if part.starts(with: Array("--".utf8)) { break }  // the closing delimiter
            if part.starts(with: [13, 10]) { part = part.dropFirst(2) }
            guard let end = firstRange(of: [13, 10, 13, 10], in: part) else { throw .malformed }
            let headers = String(decoding: part[part.startIndex..<end.lowerBound], as: UTF8.self)
            var value = part[end.upperBound...]
            if value.suffix(2).elementsEqual([13, 10]) { value = value.dropLast(2) }
            let disposition = headers.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") } ?? ""
            guard let name = parameter("name", in: disposition), parameter("filename", in: disposition) == nil else { continue }
            fields[name, default: []].append(String(decoding: value, as: UTF8.self))
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

    private static func split(_ bytes: [UInt8], on delimiter: [UInt8]) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var rest = bytes[...]
        while let range = firstRange(of: delimiter, in: rest) {
            pieces.append(Array(rest[rest.startIndex..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        pieces.append(Array(rest))
        return pieces
    }

    private static func firstRange(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index..<(index + needle.count)
            }
            index += 1
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
