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
        var lines: [String] = []
        var line = name + ":"
        var lineHasWord = false
        // Pre-folded values (encoded words) already carry "\r\n " between their words.
        for (index, segment) in value.components(separatedBy: "\r\n ").enumerated() {
            if index > 0 {
                lines.append(line)
                line = ""
                lineHasWord = false
            }
            for word in segment.split(separator: " ", omittingEmptySubsequences: false) {
                // Fold only before a real word, so no continuation line is white space alone.
                if lineHasWord, !word.isEmpty, line.utf8.count + 1 + word.utf8.count > 78 {
                    lines.append(line)
                    line = ""
                }
                line += " " + word
                lineHasWord = lineHasWord || !word.isEmpty
            }
        }
        lines.append(line)
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
