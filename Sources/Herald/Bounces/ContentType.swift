/// A `Content-Type` value: `type/subtype` lowercased, and its parameters (names lowercased, quoted values
/// unquoted). What cannot be read is `text/plain`, the default of RFC 2045, 5.2.
public struct ContentType: Sendable, Equatable {
    public let mediaType: String
    public let parameters: [String: String]

    public static let plainText = ContentType(mediaType: "text/plain", parameters: [:])

    public init(mediaType: String, parameters: [String: String]) {
        self.mediaType = mediaType
        self.parameters = parameters
    }

    public init(parsing value: String?) {
        guard let value else { self = .plainText; return }
        let pieces = Self.splitOutsideQuotes(value)
        let type = pieces.first.map { Self.droppingComments($0).trimmingWhitespace().lowercased() } ?? ""
        guard type.split(separator: "/").count == 2, !type.contains(" ") else { self = .plainText; return }
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingWhitespace().lowercased()
            var raw = piece[piece.index(after: equals)...].trimmingWhitespace()
            if raw.hasPrefix("\""), raw.count >= 2 { raw = Self.unquoted(raw) }
            if !name.isEmpty, parameters[name] == nil { parameters[name] = raw }
        }
        self.init(mediaType: type, parameters: parameters)
    }

    public var isMultipart: Bool { mediaType.hasPrefix("multipart/") }

    /// `;`-separated pieces, a `;` inside a quoted string staying where it is.
    private static func splitOutsideQuotes(_ value: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped { escaped = false } else if quoted && character == "\\" { escaped = true } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                pieces.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        pieces.append(current)
        return pieces
    }

    private static func unquoted(_ quoted: String) -> String {
        var result = ""
        var escaped = false
        for character in quoted.dropFirst() {
            if escaped { result.append(character); escaped = false } else if character == "\\" { escaped = true } else if character == "\"" {
                break
            } else { result.append(character) }
        }
        return result
    }

    /// `text/plain (a comment)` → `text/plain`: comments are rare here, but some MTAs write them.
    private static func droppingComments(_ text: String) -> String {
        guard let open = text.firstIndex(of: "(") else { return text }
        return String(text[..<open])
    }
}
