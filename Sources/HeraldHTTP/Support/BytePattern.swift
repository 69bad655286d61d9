/// A byte string searched for in linear time (Knuth–Morris–Pratt): each byte of the haystack is looked at a
/// bounded number of times however the pattern and the haystack nearly match. A naive search costs the
/// pattern's length at every position, which a near-miss multipart boundary turned into seconds of CPU.
struct BytePattern {
    let bytes: [UInt8]
    /// For each prefix of the pattern, the length of its longest proper prefix that is also its suffix: where
    /// the match resumes after a mismatch, without going back in the haystack.
    private let fallback: [Int]

    init(_ bytes: [UInt8]) {
        precondition(!bytes.isEmpty, "an empty pattern matches everywhere")
        self.bytes = bytes
        var fallback = [Int](repeating: 0, count: bytes.count)
        var matched = 0
        for index in 1..<bytes.count {
            while matched > 0, bytes[index] != bytes[matched] { matched = fallback[matched - 1] }
            if bytes[index] == bytes[matched] { matched += 1 }
            fallback[index] = matched
        }
        self.fallback = fallback
    }

    /// Where the pattern first occurs wholly inside `haystack[start..<end]` (`end` nil: to the haystack's end).
    func firstRange(in haystack: [UInt8], from start: Int, to end: Int? = nil) -> Range<Int>? {
        let end = min(end ?? haystack.count, haystack.count)
        var matched = 0
        var index = max(start, 0)
        while index < end {
            let byte = haystack[index]
            while matched > 0, byte != bytes[matched] { matched = fallback[matched - 1] }
            if byte == bytes[matched] { matched += 1 }
            index += 1
            if matched == bytes.count { return (index - matched)..<index }
        }
        return nil
    }
}
