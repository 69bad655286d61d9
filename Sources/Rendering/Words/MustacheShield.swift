/// Keeps a campaign's Mustache tags (`{{first_name}}`, `{{#attributes.country}}`) out of reach of the Markdown and
/// HTML converters: each tag becomes a token of letters and digits that no converter changes (not in text, not in
/// a link's address), and comes back as it was written once the conversion is done. So Markdown runs once per
/// campaign, and only Mustache runs per person.
struct MustacheShield {
    /// The tags in the order they were written.
    let tags: [String]
    let prefix: String
    /// The source with every tag replaced by its token.
    let shielded: String
    /// For each tag, the sections (by index) it sits in, outermost first: what it must still sit in after the
    /// conversion, so that the values checked in their sections are the values rendered there.
    let enclosing: [[Int]]

    init(_ source: String) {
        // A prefix the source does not contain, so that every token in the output is one of ours. Random and of
        // a fixed length: one search of the source, whatever it holds.
        var prefix = Self.randomPrefix()
        while source.contains(prefix) { prefix = Self.randomPrefix() }
        self.prefix = prefix
        var tags: [String] = []
        var enclosing: [[Int]] = []
        var open: [Int] = []
        var output = ""
        var rest = Substring(source)
        while let start = rest.range(of: "{{") {
            output += rest[..<start.lowerBound]
            let triple = rest[start.upperBound...].hasPrefix("{")
            guard let close = rest[start.upperBound...].range(of: triple ? "}}}" : "}}") else { break }
            let tag = String(rest[start.lowerBound..<close.upperBound])
            let index = tags.count
            tags.append(tag)
            switch Self.sigil(of: tag) {
            case "#", "^":
                enclosing.append(open)
                open.append(index)
            case "/":
                _ = open.popLast()
                enclosing.append(open)
            default:
                enclosing.append(open)
            }
            output += Self.token(prefix, index)
            rest = rest[close.upperBound...]
        }
        output += rest
        self.tags = tags
        self.enclosing = enclosing
        self.shielded = output
    }

    private static func randomPrefix() -> String {
        "X" + String((0..<15).map { _ in "ABCDEFGHJKLMNPQRSTUVWXYZ".randomElement()! })
    }

    private static func token(_ prefix: String, _ index: Int) -> String { prefix + String(index) + "X" }

    static func sigil(of tag: String) -> Character? { tag.dropFirst(2).drop { $0 == " " }.first }

    private func isSection(_ index: Int) -> Bool { Self.sigil(of: tags[index]).map { "#^/".contains($0) } ?? false }

    /// The token indexes in `converted`, in order (nil when a token is malformed).
    func tokens(in converted: String) -> [Int]? {
        var found: [Int] = []
        var rest = Substring(converted)
        while let start = rest.range(of: prefix) {
            let digits = rest[start.upperBound...].prefix { $0.isASCII && $0.isNumber }
            let end = rest.index(start.upperBound, offsetBy: digits.count)
            guard let index = Int(digits), tags.indices.contains(index), end < rest.endIndex, rest[end] == "X" else { return nil }
            found.append(index)
            rest = rest[rest.index(after: end)...]
        }
        return found
    }

    /// `converted` with every token back as its tag, or nil when the conversion lost or repeated a section's tag,
    /// lost a value, or moved a value out of the sections it was written in (a tag inside raw HTML that Markdown
    /// leaves out; a link's address listed after a loop): the values checked would not be the ones rendered. A
    /// value may come twice (an autolink's address and text) and out of order (a text part lists link addresses
    /// at its end), but never into other sections.
    func restore(_ converted: String) -> String? {
        guard let order = tokens(in: converted) else { return nil }
        let sections = order.filter(isSection)
        guard sections == tags.indices.filter(isSection), Set(order) == Set(tags.indices) else { return nil }
        var open: [Int] = []
        for index in order {
            switch Self.sigil(of: tags[index]) {
            case "#", "^": open.append(index)
            case "/": _ = open.popLast()
            default: guard open == enclosing[index] else { return nil }
            }
        }
        var output = ""
        var rest = Substring(converted)
        for index in order {
            let token = Self.token(prefix, index)
            guard let found = rest.range(of: token) else { return nil }
            output += rest[..<found.lowerBound]
            output += tags[index]
            rest = rest[found.upperBound...]
        }
        output += rest
        return output
    }
}
