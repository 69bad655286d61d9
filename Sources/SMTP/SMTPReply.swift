/// One SMTP server reply: the basic code, the RFC 3463 enhanced status when the server gives one, and its text.
///
/// The class of the code decides what Herald does with a recipient: 2xx sent, 4xx try again later,
/// 5xx give up and suppress the address.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var enhancedStatus: String?
    public var text: String

    public init(code: Int, enhancedStatus: String? = nil, text: String) {
        self.code = code
        self.enhancedStatus = enhancedStatus
        self.text = text
    }

    public var isPositive: Bool { (200..<400).contains(code) }
    public var isTransient: Bool { (400..<500).contains(code) }
    public var isPermanent: Bool { (500..<600).contains(code) }

    public var description: String {
        [String(code), enhancedStatus, text.isEmpty ? nil : text].compactMap { $0 }.joined(separator: " ")
    }

    /// Parses the last complete reply in a run of reply lines (`250-…` continuation lines, then `250 …`).
    /// Returns nil when no line carries a three-digit code.
    /// With `code`, the last reply that has that code (libcurl may have sent QUIT and read its 221 after).
    public static func parse(lines: [String], code wanted: Int? = nil) -> SMTPReply? {
        var finalIndex: Int?
        for index in lines.indices.reversed() {
            guard let code = replyCode(of: lines[index]), wanted == nil || code == wanted else { continue }
            // The final line of a reply has a space (or nothing) after the code, not a dash.
            if lines[index].utf8.dropFirst(3).first == UInt8(ascii: "-") { continue }
            finalIndex = index
            break
        }
        guard let last = finalIndex, let code = replyCode(of: lines[last]) else { return nil }
        // Gather the continuation lines of the same reply that precede the final one.
        var first = last
        while first > 0, let previous = replyCode(of: lines[first - 1]), previous == code,
              lines[first - 1].utf8.dropFirst(3).first == UInt8(ascii: "-") {
            first -= 1
        }
        var texts: [String] = []
        var enhanced: String?
        for line in lines[first...last] {
            var text = Substring(line.dropFirst(4))
            if let status = leadingEnhancedStatus(text, basicCode: code) {
                enhanced = enhanced ?? status
                text = text.dropFirst(status.count).drop(while: { $0 == " " })
            }
            texts.append(String(text))
        }
        return SMTPReply(code: code, enhancedStatus: enhanced, text: texts.joined(separator: " "))
    }

    /// Every message reads four replies or more: no allocation here.
    private static func replyCode(of line: String) -> Int? {
        var code = 0, digits = 0
        for byte in line.utf8 {
            if digits == 3 {
                return byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") ? code : nil
            }
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            code = code * 10 + Int(byte - 0x30)
            digits += 1
        }
        return digits == 3 ? code : nil
    }

    /// `5.1.1` style status whose class digit matches the basic code's (RFC 3463 §2): one digit for the class,
    /// one to three for the subject and the detail. Read as bytes.
    private static func leadingEnhancedStatus(_ text: Substring, basicCode: Int) -> String? {
        let token = text.utf8.prefix(while: { $0 != UInt8(ascii: " ") })
        var parts = 1, digits = 0, first: UInt8?
        for byte in token {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts > 1 || digits == 1 else { return nil }  // the class is one digit
                parts += 1
                digits = 0
            } else if byte >= 0x30, byte <= 0x39, digits < 3 {
                if first == nil { first = byte }
                digits += 1
            } else {
                return nil
            }
        }
        guard parts == 3, digits > 0, let first, Int(first - 0x30) == basicCode / 100 else { return nil }
        return String(Substring(token))
    }
}
