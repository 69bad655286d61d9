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

    /// True when the body is already in relaxed form, so it can be hashed as it is: CRLF line ends, no white
    /// space other than single spaces between other bytes, no empty line at the end, and a final CRLF (or
    /// nothing at all). Herald's quoted-printable bodies nearly always are.
    static func isRelaxedBody(_ body: ArraySlice<UInt8>) -> Bool {
        body.withUnsafeBufferPointer { input in
            let count = input.count
            guard count > 0 else { return true }
            guard count >= 2, input[count - 2] == cr, input[count - 1] == lf else { return false }
            if count >= 4, input[count - 4] == cr, input[count - 3] == lf { return false }  // an empty last line
            if count == 2 { return false }  // a body of one empty line is relaxed to nothing
            guard input[0] != lf else { return false }
            // Sixteen bytes at a time, each next to the byte after it: a tab, a space before a space or a CR, or a
            // CR and LF that are not a pair, is a byte that relaxing would change. This scan is on every message's
            // whole body, so it is worth the vector registers.
            let base = UnsafeRawPointer(input.baseAddress!)
            var index = 0
            while index + ByteChunk.scalarCount < count {
                let this = base.loadChunk(at: index)
                let next = base.loadChunk(at: index + 1)
                let changes = (this .== ByteChunk.tab)
                    .| ((this .== ByteChunk.space) .& ((next .== ByteChunk.space) .| (next .== ByteChunk.cr)))
                    .| ((this .== ByteChunk.cr) .^ (next .== ByteChunk.lf))
                if changes.anySet { return false }
                index += ByteChunk.scalarCount
            }
            // The last few bytes one at a time; the final CRLF was checked above.
            var previous = index == 0 ? lf : input[index - 1]
            for index in index..<count {
                let byte = input[index]
                if byte > space { previous = byte; continue }
                switch byte {
                case space where previous == space:  // a run
                    return false
                case cr:
                    // A CR must start a CRLF, and white space must not end the line.
                    guard index + 1 < count, input[index + 1] == lf, previous != space else { return false }
                case lf:
                    guard previous == cr else { return false }
                case tab:
                    return false
                default:
                    break
                }
                previous = byte
            }
            return true
        }
    }

    /// The relaxed body, in one pass into a buffer no larger than the body plus a final CRLF.
    static func relaxedBody(_ body: ArraySlice<UInt8>) -> [UInt8] {
        body.withUnsafeBufferPointer { input in
            let count = input.count
            return [UInt8](unsafeUninitializedCapacity: count + 2) { output, written in
                var out = 0, index = 0
                var pendingSpace = false
                var lineHasContent = false
                var endOfLastContent = 0  // just past the CRLF of the last line that was not empty
                while index < count {
                    let byte = input[index]
                    if byte > space && pendingSpace == false {  // the common case: neither white space nor a line end
                        output[out] = byte
                        out += 1
                        lineHasContent = true
                        index += 1
                        continue
                    }
                    if byte == cr, index + 1 < count, input[index + 1] == lf {
                        pendingSpace = false  // white space at the end of a line goes
                        output[out] = cr
                        output[out + 1] = lf
                        out += 2
                        if lineHasContent { endOfLastContent = out }
                        lineHasContent = false
                        index += 2
                        continue
                    }
                    if byte == space || byte == tab {
                        pendingSpace = true  // a run of white space becomes one space, if something follows it
                    } else {
                        if pendingSpace {
                            output[out] = space
                            out += 1
                            pendingSpace = false
                        }
                        output[out] = byte
                        out += 1
                        lineHasContent = true
                    }
                    index += 1
                }
                if lineHasContent {  // a last line without CRLF gets one
                    output[out] = cr
                    output[out + 1] = lf
                    out += 2
                    endOfLastContent = out
                }
                written = endOfLastContent  // empty lines at the end go
            }
        }
    }
}
