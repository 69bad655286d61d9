/// The `relaxed` canonicalizations of RFC 6376 §3.4.2 and §3.4.4, on bytes.
///
/// They are what a verifier recomputes, so they follow the RFC to the letter: header names lower-cased,
/// folds removed, runs of white space made one space; body lines without trailing white space, runs made one
/// space, and empty lines at the end removed.
enum DKIMCanonicalization {
    private static let space: UInt8 = 0x20, tab: UInt8 = 0x09, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A

    /// `name:value\r\n` for one header field as it appears in the message (`Name: value`, possibly folded,
    /// with or without its final CRLF).
    static func relaxedHeader<Bytes: Collection>(_ field: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(field.count)
        guard let colon = field.firstIndex(of: UInt8(ascii: ":")) else { return output }
        for byte in field[..<colon] where byte != space && byte != tab {
            output.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
        }
        output.append(UInt8(ascii: ":"))
        var pendingSpace = false
        var started = false
        for byte in field[field.index(after: colon)...] {
            switch byte {
            case cr, lf: continue
            case space, tab: pendingSpace = started
            default:
                if pendingSpace { output.append(space) }
                pendingSpace = false
                started = true
                output.append(byte)
            }
        }
        output.append(contentsOf: [cr, lf])
        return output
    }

    /// The relaxed body: feeds the canonical bytes to `sink` in pieces, so a large body is never copied whole.
    static func relaxedBody(_ body: ArraySlice<UInt8>, into sink: (ArraySlice<UInt8>) -> Void) {
        var line: [UInt8] = []
        line.reserveCapacity(1024)
        var emptyLinesPending = 0
        var index = body.startIndex
        func finish(_ line: inout [UInt8]) {
            // Trailing white space on the line goes; runs within it were already made one space.
            while let last = line.last, last == space { line.removeLast() }
            if line.isEmpty {
                emptyLinesPending += 1
            } else {
                for _ in 0..<emptyLinesPending { sink([cr, lf][...]) }
                emptyLinesPending = 0
                line.append(contentsOf: [cr, lf])
                sink(line[...])
            }
            line.removeAll(keepingCapacity: true)
        }
        while index < body.endIndex {
            let byte = body[index]
            if byte == cr, body.index(after: index) < body.endIndex, body[body.index(after: index)] == lf {
                finish(&line)
                index = body.index(index, offsetBy: 2)
                continue
            }
            if byte == space || byte == tab {
                if line.last != space { line.append(space) }
            } else {
                line.append(byte)
            }
            index = body.index(after: index)
        }
        if !line.isEmpty { finish(&line) }
    }
}
