/// Turns text that came from data (names, subjects) into header text that cannot break the header block.
///
/// Everything goes through `sanitized` first: control characters (CR, LF, NUL, …) become spaces or vanish,
/// so no input can end a field. Non-ASCII text, and text that could be mistaken for an encoded word, becomes
/// RFC 2047 encoded words of at most 75 characters, which leaves room to fold every line under 78.
public enum HeaderText {
    /// Replaces line breaks and tabs with a space and drops every other control character.
    public static func sanitized(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: scalars.append(" ")
            case 0x00...0x1F, 0x7F, 0x80...0x9F, 0x2028, 0x2029: continue
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// An unstructured field body (Subject): printable ASCII as is, otherwise encoded words.
    public static func unstructured(_ text: String) -> String {
        let clean = sanitized(text)
        if isPlainASCII(clean), !hasEncodedWordStart(clean), !hasLongWord(clean) { return clean }
        return encodedWords(clean)
    }

    /// Whether `text` holds "=?", which a decoder would take for the start of an encoded word. On bytes:
    /// Foundation's `contains` goes through CFStringFind, and this runs for every message.
    static func hasEncodedWordStart(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if previous == UInt8(ascii: "="), byte == UInt8(ascii: "?") { return true }
            previous = byte
        }
        return false
    }

    /// A display name: an atom sequence as is, a quoted string if it has specials, encoded words if not ASCII.
    public static func phrase(_ text: String) -> String {
        let clean = sanitized(text)
        if !isPlainASCII(clean) || hasEncodedWordStart(clean) || hasLongWord(clean) { return encodedWords(clean) }
        if clean.utf8.allSatisfy({ atomCharacters.contains($0) || $0 == 0x20 }) { return clean }
        var quoted = "\""
        for character in clean {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    private static let atomCharacters: Set<UInt8> = Set(Array("!#$%&'*+-/=?^_`{|}~".utf8))
        .union(UInt8(ascii: "a")...UInt8(ascii: "z"))
        .union(UInt8(ascii: "A")...UInt8(ascii: "Z"))
        .union(UInt8(ascii: "0")...UInt8(ascii: "9"))

    private static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private static func hasLongWord(_ text: String) -> Bool {
        var run = 0
        for byte in text.utf8 {
            run = byte == 0x20 ? 0 : run + 1
            if run > 70 { return true }
        }
        return false
    }

    /// `=?UTF-8?B?…?=` words separated by folding white space, never splitting a character between words.
    static func encodedWords(_ text: String) -> String {
        let prefix = "=?UTF-8?B?", suffix = "?="
        // 39 bytes → 52 base64 characters → a 64-character word, which fits after "Reply-To: " within 78.
        let maxPayloadBytes = 39
        var words: [String] = []
        var chunk: [UInt8] = []
        // By scalar, not by character: one grapheme can be longer than a whole word's payload.
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > maxPayloadBytes, !chunk.isEmpty {
                words.append(prefix + Base64.encode(chunk) + suffix)
                chunk = []
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(prefix + Base64.encode(chunk) + suffix) }
        return words.joined(separator: "\r\n ")
    }
}
