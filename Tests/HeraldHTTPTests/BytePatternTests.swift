@testable import HeraldHTTP
import Testing

/// The linear search finds what a naive search finds, on inputs with many near matches.
struct BytePatternTests {
    static func naive(_ pattern: [UInt8], in haystack: [UInt8], from start: Int, to end: Int) -> Range<Int>? {
        guard end - start >= pattern.count else { return nil }
        for index in start...(end - pattern.count) where Array(haystack[index..<(index + pattern.count)]) == pattern {
            return index..<(index + pattern.count)
        }
        return nil
    }

    @Test func agreesWithANaiveSearch() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            // A two-letter alphabet makes overlaps and near misses common.
            let pattern = (0..<Int.random(in: 1...6, using: &generator)).map { _ in UInt8.random(in: 97...98, using: &generator) }
            let haystack = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 97...98, using: &generator) }
            let start = Int.random(in: 0...haystack.count, using: &generator)
            let end = Int.random(in: start...haystack.count, using: &generator)
            #expect(BytePattern(pattern).firstRange(in: haystack, from: start, to: end) == Self.naive(pattern, in: haystack, from: start, to: end),
                    "\(pattern) in \(haystack) [\(start)..<\(end)]")
        }
    }
}
