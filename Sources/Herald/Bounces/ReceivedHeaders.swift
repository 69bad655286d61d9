/// The header fields of a received message (or of a block of delivery-status or feedback-report fields, which
/// share the syntax): unfolded, in their order, looked up by name without regard to case.
public struct ReceivedHeaders: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        /// As written, e.g. `Content-Type`.
        public let name: String
        /// Unfolded and trimmed, its bytes read as UTF-8 (RFC 6532 allows UTF-8 in headers; other bytes become U+FFFD).
        public let value: String
    }

    /// A message with more fields than this is hostile or broken; the rest are skipped (still scanned, so the body
    /// starts where it should).
    static let maximumFields = 2_000
    /// A field's value is kept up to this many bytes: a line may be 998, and a folded list of addresses some
    /// thousands; a longer value would only make every later look at it slow.
    static let maximumValueLength = 65_536

    public private(set) var fields: [Field] = []

    public init(_ fields: [Field] = []) { self.fields = fields }

    /// The first field of that name.
    public func first(_ name: String) -> String? {
        let lowered = name.lowercased()
        return fields.first { $0.name.lowercased() == lowered }?.value
    }

    /// Every field of that name, in order.
    public func all(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return fields.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// The first field of that name with its RFC 2047 encoded words decoded: for text a person wrote (Subject, a
    /// display name), never for addresses or tokens.
    public func text(_ name: String) -> String? { first(name).map(EncodedWords.decode) }

    /// Reads the header block at the start of `bytes` and returns it with the body after it. The block ends at the
    /// first empty line, or at the first line that is not a field (a message without a blank line before its body),
    /// or at the end of the bytes. An mbox `From ` line before the first field is skipped.
    static func parse(_ bytes: ArraySlice<UInt8>) -> (headers: ReceivedHeaders, body: ArraySlice<UInt8>) {
        var headers = ReceivedHeaders()
        var pending: (name: ArraySlice<UInt8>, value: [UInt8])?
        func finish() {
            guard let field = pending else { return }
            pending = nil
            guard headers.fields.count < maximumFields else { return }
            let name = String(decoding: field.name, as: UTF8.self).trimmingWhitespace()
            let value = String(decoding: field.value, as: UTF8.self).trimmingWhitespace()
            headers.fields.append(Field(name: name, value: value))
        }
        var index = bytes.startIndex
        var isFirstLine = true
        while let line = bytes.line(at: index) {
            let content = bytes[line.start..<line.end]
            defer { isFirstLine = false }
            // A line of blanks ends the block too: a folded line must hold something (RFC 5322, 3.2.2).
            if content.allSatisfy(ASCII.isWhitespace) {
                finish()
                return (headers, bytes[line.next...])
            }
            if let byte = content.first, byte == ASCII.space || byte == ASCII.tab {
                // A folded line continues the field before it; unfolding drops only the line break (RFC 5322, 2.2.3).
                if let room = pending.map({ maximumValueLength - $0.value.count }), room > 0 {
                    pending!.value.append(contentsOf: content.prefix(room))
                }
                index = line.next
                continue
            }
            if isFirstLine, content.starts(with: Array("From ".utf8)) {
                index = line.next
                continue
            }
            guard let colon = content.firstIndex(of: ASCII.colon), Self.isFieldName(content[..<colon]) else {
                finish()
                return (headers, bytes[line.start...])
            }
            finish()
            pending = (content[..<colon], Array(content[(colon + 1)...].prefix(maximumValueLength)))
            index = line.next
        }
        finish()
        return (headers, bytes[bytes.endIndex...])
    }

    /// Printable ASCII without a colon (RFC 5322, 3.6.8), within a line's 998 octets; trailing blanks before the
    /// colon are tolerated, as old mailers wrote `Subject :`.
    private static func isFieldName(_ name: ArraySlice<UInt8>) -> Bool {
        guard name.count <= 998 else { return false }
        let trimmed = name.reversed().drop(while: { $0 == ASCII.space || $0 == ASCII.tab })
        return !trimmed.isEmpty && trimmed.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        var trimmed = ""
        trimmed.unicodeScalars.append(contentsOf: scalars[first...last])
        return trimmed
    }
}
