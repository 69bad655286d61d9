/// A `multipart/form-data` boundary as RFC 2046 (5.1.1) allows it: 1 to 70 characters from `bchars` (letters,
/// digits and `'()+_,-./:=?` and space), not ending in a space. Anything else is refused before the body is
/// looked at, so the delimiter the parser searches for is short and plain.
struct MultipartBoundary {
    static let longest = 70

    /// `--` and the boundary: what opens each part (after a line break, except at the body's start).
    let delimiter: [UInt8]

    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard (1...Self.longest).contains(bytes.count), bytes.last != UInt8(ascii: " "), bytes.allSatisfy(Self.isAllowed) else { return nil }
        delimiter = Array("--".utf8) + bytes
    }

    private static let punctuation = Set("'()+_,-./:=? ".utf8)

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): true
        default: punctuation.contains(byte)
        }
    }
}
