/// Quoted-printable (RFC 2045 §6.7) for text bodies: CRLF line ends, encoded lines of at most 76 characters,
/// trailing white space encoded so no transport can strip it.
public enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)

    public static func encode(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        let lines = splitLines(Array(text.utf8))
        for (number, line) in lines.enumerated() {
            if number > 0 { output.append(contentsOf: [0x0D, 0x0A]) }
            encodeLine(line, into: &output)
        }
        return output
    }

    /// Splits on CRLF, LF or a lone CR.
    private static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0D || bytes[index] == 0x0A {
                lines.append(bytes[start..<index])
                if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                start = index + 1
            }
            index += 1
        }
        lines.append(bytes[start..<bytes.count])
        return lines
    }

    private static func encodeLine(_ line: ArraySlice<UInt8>, into output: inout [UInt8]) {
        var column = 0
        for index in line.indices {
            let byte = line[index]
            let isLast = index == line.index(before: line.endIndex)
            let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) ||
                ((byte == 0x20 || byte == 0x09) && !isLast)
            let width = literal ? 1 : 3
            // Leave room for the soft break's "=" within 76 columns.
            if column + width > 75 {
                output.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
                column = 0
            }
            if literal {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "="))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
            column += width
        }
    }
}
