/// The plain-text part of a campaign written in HTML: the text a reader sees, with paragraphs, line breaks, list
/// bullets and table cells kept, script, style and comments left out, entities decoded, and each link's address
/// listed at the end under its number. Linear in the input: one pass over it, never a backtracking pattern.
struct HTMLText {
    private static let blockTags: Set<String> = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "blockquote",
                                                 "section", "article", "header", "footer", "hr", "pre", "center", "main", "nav", "aside", "dl", "dt", "dd"]
    private static let skippedTags: Set<String> = ["script", "style", "head", "title", "template"]
    private static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "copy": "©", "reg": "®", "trade": "™",
        "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "euro": "€",
        "pound": "£", "middot": "·", "bull": "•", "laquo": "«", "raquo": "»", "shy": "",
    ]

    /// An attribute's value in a tag's inside (`a href="…" class=x`), entities decoded.
    static func attribute(_ wanted: String, in inside: String) -> String? { Converter.attribute(wanted, in: inside) }

    static func convert(_ html: String) -> String {
        var converter = Converter()
        converter.run(Array(html.unicodeScalars))
        return converter.finished()
    }

    private struct Converter {
        var lines = ""
        var pendingSpace = false
        var pendingBreaks = 0
        var links: [String] = []
        /// The addresses of the links open now, innermost last.
        var openLinks: [String?] = []
        var preformatted = 0
        /// No `>` is left to end a tag: every later `<` is text (looking again for each would be quadratic).
        var noTagEnd = false

        mutating func run(_ scalars: [Unicode.Scalar]) {
            var index = 0
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "<" {
                    index = tag(scalars, at: index)
                } else if scalar == "&" {
                    index = entity(scalars, at: index)
                } else {
                    character(scalar)
                    index += 1
                }
            }
        }

        mutating func character(_ scalar: Unicode.Scalar) {
            if preformatted == 0, scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r" {
                pendingSpace = true
                return
            }
            if scalar == "\n" { breaks(1); return }
            flush()
            lines.unicodeScalars.append(scalar)
        }

        mutating func flush() {
            if pendingBreaks > 0, !lines.isEmpty {
                lines += String(repeating: "\n", count: pendingBreaks)
            } else if pendingSpace, let last = lines.unicodeScalars.last, last != "\n", last != " " {
                lines += " "
            }
            pendingBreaks = 0
            pendingSpace = false
        }

        mutating func breaks(_ count: Int) {
            pendingBreaks = max(pendingBreaks, count)
            pendingSpace = false
        }

        /// A tag, a comment or a skipped element; returns the index after it.
        mutating func tag(_ scalars: [Unicode.Scalar], at start: Int) -> Int {
            if HTMLBodyCheck.starts(scalars, at: start, with: "<!--") {
                return (HTMLBodyCheck.find(scalars, "-->", from: start + 4) ?? scalars.count - 3) + 3
            }
            guard !noTagEnd, let end = Self.tagEnd(scalars, from: start + 1) else {
                noTagEnd = true
                character("<")
                return start + 1
            }
            let inside = String(String.UnicodeScalarView(scalars[(start + 1)..<end]))
            let closing = inside.hasPrefix("/")
            let name = String((closing ? inside.dropFirst() : Substring(inside)).prefix { $0.isLetter || $0.isNumber }).lowercased()
            if !closing, HTMLText.skippedTags.contains(name) {
                // Everything up to its closing tag.
                let close = "</\(name)"
                var index = end + 1
                while index < scalars.count {
                    if scalars[index] == "<", HTMLBodyCheck.starts(scalars, at: index, with: close, caseless: true) {
                        return (Self.tagEnd(scalars, from: index + 1) ?? scalars.count - 1) + 1
                    }
                    index += 1
                }
                return scalars.count
            }
            switch name {
            case "br":
                breaks(1)
                flush()
                pendingBreaks = 0
                lines += "\n"
            case "li":
                if !closing { breaks(1); flush(); lines += "- " }
            case "td", "th":
                if !closing, let last = lines.unicodeScalars.last, last != "\n" { lines += " | " }
            case "a":
                if closing {
                    if let href = openLinks.popLast() ?? nil {
                        links.append(href)
                        flush()
                        lines += " [\(links.count)]"
                    }
                } else {
                    let href = Self.attribute("href", in: inside)
                    openLinks.append(href.flatMap { $0.isEmpty || $0.hasPrefix("#") ? nil : $0 })
                }
            case "img":
                if let alt = Self.attribute("alt", in: inside), !alt.isEmpty { flush(); lines += "[" + alt + "]" }
            case "pre":
                preformatted += closing ? (preformatted > 0 ? -1 : 0) : 1
                breaks(2)
            default:
                if HTMLText.blockTags.contains(name) { breaks(name == "tr" ? 1 : 2) }
            }
            return end + 1
        }

        mutating func entity(_ scalars: [Unicode.Scalar], at start: Int) -> Int {
            var index = start + 1
            var name = ""
            while index < scalars.count, index - start <= 10, scalars[index] != ";" {
                name.unicodeScalars.append(scalars[index])
                index += 1
            }
            guard index < scalars.count, scalars[index] == ";", let decoded = Self.decode(name) else {
                character("&")
                return start + 1
            }
            for scalar in decoded.unicodeScalars { character(scalar == "\u{A0}" ? " " : scalar) }
            return index + 1
        }

        static func decode(_ name: String) -> String? {
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let value = digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
                return String(scalar)
            }
            return entities[name]
        }

        /// The index of the `>` that ends a tag, outside quoted attribute values.
        static func tagEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? { HTMLBodyCheck.tagEnd(scalars, from: start) }

        /// An attribute's value in a tag's inside (`a href="…" class=x`), entities decoded.
        static func attribute(_ wanted: String, in inside: String) -> String? {
            let scalars = Array(inside.unicodeScalars)
            var index = 0
            while index < scalars.count {
                while index < scalars.count, !(scalars[index].properties.isAlphabetic) { index += 1 }
                var name = ""
                while index < scalars.count, scalars[index] != "=", scalars[index] != " ", scalars[index] != ">" {
                    name.unicodeScalars.append(scalars[index])
                    index += 1
                }
                while index < scalars.count, scalars[index] == " " { index += 1 }
                guard index < scalars.count, scalars[index] == "=" else { continue }
                index += 1
                while index < scalars.count, scalars[index] == " " { index += 1 }
                var value = ""
                if index < scalars.count, scalars[index] == "\"" || scalars[index] == "'" {
                    let quote = scalars[index]
                    index += 1
                    while index < scalars.count, scalars[index] != quote { value.unicodeScalars.append(scalars[index]); index += 1 }
                    index += 1
                } else {
                    while index < scalars.count, scalars[index] != " " { value.unicodeScalars.append(scalars[index]); index += 1 }
                }
                if name.lowercased() == wanted { return decoded(value) }
            }
            return nil
        }

        static func decoded(_ value: String) -> String {
            guard value.contains("&") else { return value }
            var converter = Converter()
            converter.preformatted = 1
            converter.run(Array(value.unicodeScalars))
            return converter.lines
        }

        mutating func finished() -> String {
            var text = lines.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: " ") }
                .joined(separator: "\n")
            while text.contains("\n\n\n") { text = text.replacingOccurrences(of: "\n\n\n", with: "\n\n") }
            text = text.trimmingCharacters(in: "\n ")
            if !links.isEmpty {
                text += "\n\nLinks:\n" + links.enumerated().map { "[\($0.offset + 1)] \($0.element)" }.joined(separator: "\n")
            }
            return text + "\n"
        }
    }
}

private extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
