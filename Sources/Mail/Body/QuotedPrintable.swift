/// Quoted-printable (RFC 2045 §6.7) for text bodies: CRLF line ends, encoded lines of at most 76 characters,
/// trailing white space encoded so no transport can strip it.
public enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)

    public static func encode(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        encode(text, appendingTo: &output)
        return output
    }

    /// The most bytes `count` input bytes can become: every byte at most 3 (a line break at most 2), plus a
    /// 3-byte soft break per 24 input bytes.
    public static func worstCaseLength(of count: Int) -> Int {
        count * 3 + (count / 24 + 1) * 3
    }

    /// One pass over the UTF-8 bytes, written straight into `output`'s spare capacity (reserve
    /// `worstCaseLength` ahead to keep it from growing): bodies are the bulk of every message, so this loop is
    /// a large part of composing one.
    public static func encode(_ text: String, appendingTo output: inout [UInt8]) {
        var text = text
        hex.withUnsafeBufferPointer { hex in text.withUTF8 { input in
            let count = input.count
            guard let base = UnsafeRawPointer(input.baseAddress) else { return }
            output.append(addingCapacity: worstCaseLength(of: count)) { span in span.withUnsafeMutableBufferPointer { output, written in
                var out = 0, column = 0, index = 0
                while index < count {
                    // A run of bytes written as they are (printable ASCII other than "=", and white space that
                    // does not end a line) is copied in one piece, up to where the encoded line is full. A byte
                    // beyond ASCII starts no run (UTF-8 sequences come two to four together): no scan for it.
                    var end = index
                    let limit = input[index] < 0x80 ? min(count, index + 75 - column) : index
                    // Sixteen at a time: the first byte of a chunk that has to be encoded ends the run. The last
                    // sixteen bytes, whose next byte is not there to load, go one at a time.
                    while end < limit {
                        if end + ByteChunk.scalarCount < count {
                            let this = base.loadChunk(at: end), next = base.loadChunk(at: end + 1)
                            let printable = ((this &- ByteChunk.bang) .< ByteChunk.printableCount) .& .!(this .== ByteChunk.equals)
                            let innerBlank = ((this .== ByteChunk.space) .| (this .== ByteChunk.tab))
                                .& .!((next .== ByteChunk.cr) .| (next .== ByteChunk.lf))
                            let literal = (.!(printable .| innerBlank)).firstSetLane
                            end = min(end + literal, limit)
                            if literal < ByteChunk.scalarCount { break }
                            continue
                        }
                        let byte = input[end]
                        if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "=") { end += 1; continue }
                        if byte == 0x20 || byte == 0x09, end + 1 < count, input[end + 1] != 0x0D, input[end + 1] != 0x0A { end += 1; continue }
                        break
                    }
                    if end > index {
                        UnsafeMutableRawPointer(output.baseAddress! + out).copyMemory(from: input.baseAddress! + index, byteCount: end - index)
                        out += end - index
                        column += end - index
                        index = end
                        continue
                    }
                    let byte = input[index]
                    if byte == 0x0D || byte == 0x0A {  // CRLF, LF or a lone CR: one CRLF
                        output[out] = 0x0D
                        output[out + 1] = 0x0A
                        out += 2
                        column = 0
                        index += byte == 0x0D && index + 1 < count && input[index + 1] == 0x0A ? 2 : 1
                        continue
                    }
                    // What is left: a byte to encode, white space that ends a line, or a line that is full.
                    let isLast = index + 1 == count || input[index + 1] == 0x0D || input[index + 1] == 0x0A
                    let literal = (byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "=")) || ((byte == 0x20 || byte == 0x09) && !isLast)
                    let width = literal ? 1 : 3
                    // Leave room for the soft break's "=" within 76 columns.
                    if column + width > 75 {
                        output[out] = UInt8(ascii: "=")
                        output[out + 1] = 0x0D
                        output[out + 2] = 0x0A
                        out += 3
                        column = 0
                    }
                    if literal {
                        output[out] = byte
                    } else {
                        output[out] = UInt8(ascii: "=")
                        output[out + 1] = hex[Int(byte >> 4)]
                        output[out + 2] = hex[Int(byte & 0x0F)]
                    }
                    out += width
                    column += width
                    index += 1
                }
                written = out
            } }
        } }
    }
}
