/// An HTML body is set into the frame as written, so it must not be able to hide, swallow or cover what follows
/// it (the frame's unsubscribe and preferences links, postal address and ADVERTISEMENT line) or change how the
/// frame is read. One pass over the body, tag by tag:
/// - every element it opens it closes, and it closes none it did not open (`</td></table>` would step out of
///   the frame's cell); elements whose end tag HTML lets one leave out (`<p>`, `<li>`, `<td>`…) may stay open;
/// - every tag and every attribute value ends (`<span title="` would swallow the frame up to its next quote),
///   and so does every comment;
/// - no element that runs script, embeds a document, takes the rest of the page as text (`<plaintext>`), or
///   styles the whole message (`<style>`: `a[href*="/u/"] { display: none }` would hide the unsubscribe link);
/// - no `position` in a style attribute (an element laid over the footer).
enum HTMLBodyCheck {
    static let refused: Set<String> = ["script", "iframe", "object", "embed", "applet", "base", "meta", "link", "form", "style", "title",
                                       "textarea", "noscript", "noembed", "noframes", "plaintext", "template", "xmp", "frame", "frameset",
                                       "html", "head", "body", "svg", "math"]
    static let void: Set<String> = ["area", "br", "col", "hr", "img", "input", "source", "track", "wbr"]
    /// Elements whose end tag may be left out: closed by what follows, or by their parent's end.
    static let optionalEnd: Set<String> = ["p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup", "caption"]

    static func check(_ body: String) throws(TemplateError) {
        let scalars = Array(body.unicodeScalars)
        var line = 1
        var open: [(name: String, line: Int)] = []
        var index = 0
        func problem(_ text: String, _ at: Int) -> TemplateError { TemplateError(file: MessageWords.bodyFile, line: at, problem: text) }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n" { line += 1 }
            guard scalar == "<" else { index += 1; continue }
            let tagLine = line
            if starts(scalars, at: index, with: "<!--") {
                guard let end = find(scalars, "-->", from: index + 4) else {
                    throw problem("a comment (<!--) that is never closed would hide the template's footer", tagLine)
                }
                line += scalars[index..<end].count { $0 == "\n" }
                index = end + 3
                continue
            }
            // `<` not followed by a letter, `/` or `!` is text (`a < b`).
            guard index + 1 < scalars.count, scalars[index + 1].properties.isAlphabetic || scalars[index + 1] == "/" || scalars[index + 1] == "!" else {
                index += 1
                continue
            }
            guard let end = tagEnd(scalars, from: index + 1) else {
                throw problem("a tag opened with < is never closed (or an attribute's quote is not), which would swallow the template's footer", tagLine)
            }
            let inside = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            line += inside.unicodeScalars.count { $0 == "\n" }
            index = end + 1
            if inside.hasPrefix("!") { continue }  // <!DOCTYPE …>
            let closing = inside.hasPrefix("/")
            let name = String((closing ? inside.dropFirst() : Substring(inside)).prefix { $0.isLetter || $0.isNumber }).lowercased()
            guard !name.isEmpty else { throw problem("<\(inside.prefix(20))> is not a tag", tagLine) }
            if refused.contains(name) { throw problem("<\(name)> has no place in a campaign's body; remove it (style elements with style attributes)", tagLine) }
            if !closing, let style = HTMLText.attribute("style", in: inside), style.lowercased().contains("position") {
                throw problem("<\(name) style=…position…> could lay the body over the template's footer; remove position", tagLine)
            }
            if closing {
                guard let at = open.lastIndex(where: { $0.name == name }),
                      open[(at + 1)...].allSatisfy({ optionalEnd.contains($0.name) }) else {
                    throw problem("</\(name)> closes an element the body did not open" + (open.last.map { " (<\($0.name)> on line \($0.line) is open)" } ?? ""), tagLine)
                }
                open.removeSubrange(at...)
            } else if !void.contains(name), !inside.hasSuffix("/") {
                open.append((name, tagLine))
            }
        }
        if let unclosed = open.last(where: { !optionalEnd.contains($0.name) }) {
            throw problem("<\(unclosed.name)> is never closed; it would wrap the template's footer", unclosed.line)
        }
    }

    static func starts(_ scalars: [Unicode.Scalar], at index: Int, with text: String, caseless: Bool = false) -> Bool {
        let pattern = Array(text.unicodeScalars)
        guard index + pattern.count <= scalars.count else { return false }
        for offset in pattern.indices {
            let a = scalars[index + offset], b = pattern[offset]
            if a == b || caseless && a.properties.lowercaseMapping == b.properties.lowercaseMapping { continue }
            return false
        }
        return true
    }

    /// The start of the next `text`, or nil; linear (the pattern is a few scalars).
    static func find(_ scalars: [Unicode.Scalar], _ text: String, from start: Int) -> Int? {
        var index = start
        while index < scalars.count {
            if starts(scalars, at: index, with: text) { return index }
            index += 1
        }
        return nil
    }

    /// The `>` that ends a tag, outside quoted attribute values.
    static func tagEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var quote: Unicode.Scalar?
        var index = start
        while index < scalars.count {
            let scalar = scalars[index]
            if let current = quote {
                if scalar == current { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == ">" {
                return index
            }
            index += 1
        }
        return nil
    }
}
