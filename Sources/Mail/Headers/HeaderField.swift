/// One header field, written `Name: value` and folded so no line exceeds 78 characters where the value has
/// white space to fold at (RFC 5322 §2.2.3). Values are built by this module's own encoders, which never emit
/// a bare CR or LF, so a field is always exactly one logical line.
public struct HeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// The folded field with its trailing CRLF.
    public var rendered: String {
        var bytes: [UInt8] = []
        render(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the folded field and its CRLF. Works on bytes (every message has a dozen fields), and counts
    /// line length in octets, which is what RFC 5322 limits.
    public func render(into output: inout [UInt8]) {
        let space: UInt8 = 0x20
        var lineStart = output.count
        var lineHasWord = false
        output.append(contentsOf: name.utf8)
        output.append(UInt8(ascii: ":"))
        func endLine() {
            output.append(contentsOf: [0x0D, 0x0A])
            lineStart = output.count
        }
        var value = value
        value.withUTF8 { bytes in
            var wordStart = 0
            var index = 0
            // A word ends at a space, at a pre-folded "\r\n " (encoded words carry those), or at the end.
            while index <= bytes.count {
                let preFolded = index + 2 < bytes.count && bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == space
                guard index == bytes.count || bytes[index] == space || preFolded else { index += 1; continue }
                let word = UnsafeBufferPointer(rebasing: bytes[wordStart..<index])
                // Fold only before a real word, so no continuation line is white space alone.
                if lineHasWord, !word.isEmpty, output.count - lineStart + 1 + word.count > 78 { endLine() }
                output.append(space)
                output.append(contentsOf: word)
                lineHasWord = lineHasWord || !word.isEmpty
                if preFolded {
                    endLine()
                    lineHasWord = false
                    index += 3
                } else {
                    index += 1
                }
                wordStart = index
            }
        }
        endLine()
    }
}
