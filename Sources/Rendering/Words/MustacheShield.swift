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

    init(_ source: String) {
        // A prefix the source does not contain, so that every token in the output is one of ours.
        var prefix = "XHVAR"
        while source.contains(prefix) { prefix += "Q" }
        self.prefix = prefix
        var tags: [String] = []
        var output = ""
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let triple = rest[open.upperBound...].hasPrefix("{")
            guard let close = rest[open.upperBound...].range(of: triple ? "}}}" : "}}") else { break }
            tags.append(String(rest[open.lowerBound..<close.upperBound]))
            output += Self.token(prefix, tags.count - 1)
            rest = rest[close.upperBound...]
        }
        output += rest
        self.tags = tags
        self.shielded = output
    }

    private static func token(_ prefix: String, _ index: Int) -> String { prefix + String(index) + "X" }

    /// `converted` with every token back as its tag, or nil when the conversion dropped or repeated a tag (a tag
    /// inside raw HTML that Markdown leaves out, say) or moved a section's tag: the variables checked would not be
    /// the ones sent. `reordered`: values may come out of order (a text part lists link addresses at its end),
    /// sections may not.
    func restore(_ converted: String, reordered: Bool = false) -> String? {
        var output = ""
        var rest = Substring(converted)
        var seen: [Int] = []
        while let found = rest.range(of: prefix) {
            output += rest[..<found.lowerBound]
            let digits = rest[found.upperBound...].prefix { $0.isASCII && $0.isNumber }
            let end = rest.index(found.upperBound, offsetBy: digits.count)
            guard let index = Int(digits), tags.indices.contains(index), end < rest.endIndex, rest[end] == "X" else { return nil }
            output += tags[index]
            seen.append(index)
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        guard seen.count == tags.count, Set(seen).count == tags.count else { return nil }
        if reordered {
            let sections = seen.filter(isSection)
            guard sections == sections.sorted() else { return nil }
        } else {
            guard seen == Array(tags.indices) else { return nil }
        }
        return output
    }

    private func isSection(_ index: Int) -> Bool {
        let body = tags[index].dropFirst(2).drop { $0 == " " }
        return body.first.map { "#^/".contains($0) } ?? false
    }
}
