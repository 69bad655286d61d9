import Testing
@testable import Mail

struct QuotedPrintableTests {
    /// Random text made of the pieces that take the encoder's every path, in runs long enough to cross its
    /// 16-byte steps and its 76-column lines at every offset: each encoded line is short and ends in CRLF, white
    /// space never ends a line, only printable ASCII appears, and decoding gives back the text with CRLF line ends.
    @Test func randomTextRoundTrips() {
        let pieces = ["a", "bcdefghijklmnopqrstuvwxyz", " ", "  ", "\t", "=", "\r\n", "\n", "\r", "ü", "€", "😀", "=C3", "~!", "\u{7F}", "\u{01}"]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<3000 {
            let text = (0..<Int.random(in: 0...(round < 1000 ? 12 : 120), using: &generator)).map { _ in
                Int.random(in: 0..<4, using: &generator) == 0 ? pieces.randomElement(using: &generator)! : pieces[1]
            }.joined()
            let encoded = QuotedPrintable.encode(text)
            let lines = String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n")
            for line in lines {
                #expect(line.utf8.count <= 76, "\(line.debugDescription) in \(text.debugDescription)")
                #expect(line.utf8.last != 0x20 && line.utf8.last != 0x09, "\(line.debugDescription) in \(text.debugDescription)")
                #expect(line.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 }, "\(line.debugDescription)")
            }
            let expected = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .replacingOccurrences(of: "\n", with: "\r\n")
            #expect(QuotedPrintable.decodeForTest(encoded) == expected, "\(text.debugDescription)")
        }
    }
}

extension QuotedPrintable {
    /// A reference decoder for the round-trip check.
    static func decodeForTest(_ encoded: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < encoded.count {
            let byte = encoded[index]
            if byte == UInt8(ascii: "=") {
                if encoded[index + 1] == 0x0D { index += 3; continue }
                output.append(UInt8(String(decoding: encoded[index + 1...index + 2], as: UTF8.self), radix: 16)!)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
