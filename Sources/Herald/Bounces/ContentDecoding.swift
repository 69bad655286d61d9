/// Content-transfer-encodings (RFC 2045, 6) and charsets, decoded leniently: a bounce is written by every kind of
/// software, so a bad character is skipped or kept as it is rather than making the whole part unreadable.
enum ContentDecoding {
    /// The part's bytes as its `Content-Transfer-Encoding` says; 7bit, 8bit, binary and anything unknown as they are.
    static func decode(_ bytes: ArraySlice<UInt8>, transferEncoding: String?) -> [UInt8] {
        switch transferEncoding?.trimmingWhitespace().lowercased() {
        case "base64": base64(bytes)
        case "quoted-printable": quotedPrintable(bytes)
        default: Array(bytes)
        }
    }

    /// Every base64 character counts, anything else (line breaks, blanks, stray bytes) is skipped; decoding
    /// stops at the first `=`, and a trailing partial group gives the whole bytes it holds.
    static func base64(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            let value: UInt8
            switch byte {
            case 0x41...0x5A: value = byte - 0x41
            case 0x61...0x7A: value = byte - 0x61 + 26
            case 0x30...0x39: value = byte - 0x30 + 52
            case 0x2B, 0x2D: value = 62  // + (and - of base64url, which some encoders use)
            case 0x2F, 0x5F: value = 63  // / (and _)
            case ASCII.equals: return output
            default: continue
            }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return output
    }

    /// `=XX` is a byte, `=` at the end of a line joins it to the next; an `=` followed by anything else is kept
    /// as it is (RFC 2045, 6.7, note 1: a robust decoder leaves such text alone).
    static func quotedPrintable(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == ASCII.equals else { output.append(byte); index += 1; continue }
            // A soft line break: `=`, perhaps blanks, then CR LF or LF.
            var after = index + 1
            while after < bytes.endIndex, bytes[after] == ASCII.space || bytes[after] == ASCII.tab { after += 1 }
            if after < bytes.endIndex, bytes[after] == ASCII.carriageReturn { after += 1 }
            if after == bytes.endIndex || bytes[after] == ASCII.lineFeed {
                index = min(after + 1, bytes.endIndex)
                continue
            }
            if index + 2 < bytes.endIndex, let high = ASCII.hexValue(bytes[index + 1]), let low = ASCII.hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// Text in a charset: UTF-8 and its subsets as UTF-8 (bad bytes become U+FFFD); the Latin-1 family byte for
    /// code point, which is right for ISO-8859-1 and close enough for windows-1252 and ISO-8859-15 in a
    /// diagnostic line; anything else as UTF-8 too, which keeps its ASCII readable.
    static func text(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        switch charset?.trimmingWhitespace().lowercased() {
        case "iso-8859-1", "latin1", "iso_8859-1", "windows-1252", "cp1252", "iso-8859-15":
            var text = ""
            text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return text
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
