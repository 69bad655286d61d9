/// Line scanning over received bytes. Received mail ends its lines with CR LF on the wire but often with a bare LF
/// once a mailbox has stored it, so both are accepted everywhere; a lone CR stays part of the line.
struct ByteLine {
    /// The first byte of the line.
    let start: Int
    /// Just past the line's content: before its CR LF or LF.
    let end: Int
    /// Where the following line starts (the end of the bytes after the last line).
    let next: Int
}

extension ArraySlice<UInt8> {
    /// The line that starts at `index`, or nil at the end of the bytes.
    func line(at index: Int) -> ByteLine? {
        guard index < endIndex else { return nil }
        guard let feed = self[index...].firstIndex(of: ASCII.lineFeed) else {
            return ByteLine(start: index, end: endIndex, next: endIndex)
        }
        let end = feed > index && self[feed - 1] == ASCII.carriageReturn ? feed - 1 : feed
        return ByteLine(start: index, end: end, next: feed + 1)
    }

    /// Where the line break just before `lineStart` begins, never before `floor`: the break that ends a MIME part
    /// belongs to the boundary line after it (RFC 2046, 5.1.1).
    func breakStart(before lineStart: Int, floor: Int) -> Int {
        var end = lineStart
        if end > floor, self[end - 1] == ASCII.lineFeed { end -= 1 }
        if end > floor, self[end - 1] == ASCII.carriageReturn { end -= 1 }
        return end
    }

    func isBlank(_ line: ByteLine) -> Bool {
        self[line.start..<line.end].allSatisfy(ASCII.isWhitespace)
    }
}

enum ASCII {
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let hyphen: UInt8 = 0x2D
    static let equals: UInt8 = 0x3D

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab || byte == carriageReturn }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
