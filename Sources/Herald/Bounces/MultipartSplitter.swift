/// Cuts a multipart body into its parts at its boundary lines (RFC 2046, 5.1.1), in one pass over the lines.
enum MultipartSplitter {
    /// RFC 2046 allows 70 characters; a longer boundary is refused rather than compared on every line.
    static let maximumBoundaryLength = 200

    /// The parts between the boundary lines; nil when no boundary line is found (the body is then text). A body cut
    /// off before its closing boundary keeps its last part up to where it ends; the preamble and the epilogue are
    /// dropped.
    static func parts(of body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>]? {
        guard !boundary.isEmpty, boundary.utf8.count <= maximumBoundaryLength else { return nil }
        let delimiter = [ASCII.hyphen, ASCII.hyphen] + Array(boundary.utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var found = false
        var index = body.startIndex
        while let line = body.line(at: index) {
            index = line.next
            let content = body[line.start..<line.end]
            guard content.starts(with: delimiter) else { continue }
            let rest = content.dropFirst(delimiter.count)
            let closes = rest.starts(with: [ASCII.hyphen, ASCII.hyphen])
            // `--boundary-more` is another boundary (one that begins with ours), not this one; blanks may follow.
            guard closes || rest.allSatisfy(ASCII.isWhitespace) else { continue }
            found = true
            if let start = partStart {
                parts.append(body[start..<body.breakStart(before: line.start, floor: start)])
            }
            if closes { return parts }
            partStart = line.next
        }
        if let start = partStart { parts.append(body[start...]) }
        return found ? parts : nil
    }
}
