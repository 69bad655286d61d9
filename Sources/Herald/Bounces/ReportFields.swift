/// Reading the machine-readable parts of reports: blocks of header-like fields separated by blank lines
/// (RFC 3464, 2.1; RFC 5965, 3.1), and the typed values they hold.
enum ReportFields {
    /// At most this many blocks are read from one part: a DSN has one per recipient, and Herald sends to one.
    static let maximumBlocks = 200

    /// The blocks of `bytes`, each with at least one field. A line that is not a field is skipped, so each
    /// round consumes at least one line.
    static func blocks(_ bytes: [UInt8]) -> [ReceivedHeaders] {
        var blocks: [ReceivedHeaders] = []
        var rest = bytes[...]
        while !rest.isEmpty, blocks.count < maximumBlocks {
            let (block, after) = ReceivedHeaders.parse(rest)
            if !block.fields.isEmpty { blocks.append(block) }
            if after.startIndex == rest.startIndex {
                guard let line = rest.line(at: rest.startIndex) else { break }
                rest = rest[line.next...]
            } else {
                rest = after
            }
        }
        return blocks
    }

    /// `rfc822; user@example.com` → `user@example.com` (also `utf-8;` of RFC 6533, whose `\x{…}` escapes are
    /// turned back into characters), without angle brackets.
    static func address(_ value: String?) -> String? {
        guard let value else { return nil }
        let parts = value.split(separator: ";", maxSplits: 1)
        var address = (parts.count == 2 ? String(parts[1]) : value).trimmingWhitespace()
        if parts.count == 2, parts[0].trimmingWhitespace().lowercased() == "utf-8" { address = unescapingUnicode(address) }
        if address.hasPrefix("<"), address.hasSuffix(">"), address.count >= 2 { address = String(address.dropFirst().dropLast()) }
        return address.isEmpty ? nil : address
    }

    /// `smtp; 550 5.1.1 …` → `550 5.1.1 …`: the diagnostic type says nothing a reader needs.
    static func typedText(_ value: String?) -> String? {
        guard let value else { return nil }
        let parts = value.split(separator: ";", maxSplits: 1)
        let text = (parts.count == 2 && !parts[0].contains(" ") ? String(parts[1]) : value).trimmingWhitespace()
        return text.isEmpty ? nil : String(text.prefix(BounceClassifier.maximumDiagnosticLength))
    }

    /// The first enhanced status code (RFC 3463: class 2, 4 or 5, then 1–3 and 1–3 digits) in `text`, e.g.
    /// `5.1.1` out of `5.1.1 (bad destination mailbox address)` or `550 5.1.10 RESOLVER…`.
    static func enhancedStatus(in text: String?) -> String? {
        guard let text else { return nil }
        let scalars = Array(text.unicodeScalars.prefix(4_096))
        func digits(from start: Int) -> Int {
            var end = start
            while end < scalars.count, end - start < 4, ("0"..."9").contains(scalars[end]) { end += 1 }
            return end - start
        }
        for start in scalars.indices where ["2", "4", "5"].contains(scalars[start]) {
            if start > 0, ("0"..."9").contains(scalars[start - 1]) || scalars[start - 1] == "." { continue }
            guard start + 1 < scalars.count, scalars[start + 1] == "." else { continue }
            let subject = digits(from: start + 2)
            guard (1...3).contains(subject), start + 2 + subject < scalars.count, scalars[start + 2 + subject] == "." else { continue }
            let detailStart = start + 3 + subject
            let detail = digits(from: detailStart)
            guard (1...3).contains(detail) else { continue }
            let end = detailStart + detail
            if end < scalars.count, ("0"..."9").contains(scalars[end]) || scalars[end] == "." && end + 1 < scalars.count && ("0"..."9").contains(scalars[end + 1]) { continue }
            var code = ""
            code.unicodeScalars.append(contentsOf: scalars[start..<end])
            return code
        }
        return nil
    }

    /// The first word, lowercased: `failed (bad mailbox)` → `failed`.
    static func keyword(_ value: String?) -> String? {
        guard let word = value?.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "(" || $0 == ";" }).first else { return nil }
        return word.lowercased()
    }

    /// RFC 6533, 3: in a `utf-8` address type, `\x{HEX}` stands for the character of that code point.
    private static func unescapingUnicode(_ text: String) -> String {
        guard text.contains("\\x{") else { return text }
        var output = ""
        var rest = Substring(text)
        while let range = rest.range(of: "\\x{") {
            output += rest[..<range.lowerBound]
            let after = rest[range.upperBound...]
            if let close = after.firstIndex(of: "}"), after.distance(from: after.startIndex, to: close) <= 6,
               let value = UInt32(after[..<close], radix: 16), let scalar = Unicode.Scalar(value) {
                output.unicodeScalars.append(scalar)
                rest = after[after.index(after: close)...]
            } else {
                output += "\\x{"
                rest = after
            }
        }
        return output + rest
    }
}
