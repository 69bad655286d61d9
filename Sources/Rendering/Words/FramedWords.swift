import Mustache

/// A campaign's words made ready to render, once per campaign: checked for the tags they may use, the body
/// converted (Markdown or HTML) into an HTML partial and a plain-text partial that keep its Mustache tags, so that
/// only Mustache runs for each person.
struct FramedWords {
    /// The sources the library renders, by registered name.
    var rendered: [String: String] = [:]
    /// The sources the variable checks read, by registered name: the words as written, so a problem's line is
    /// the line the marketer wrote, not a line of the converted HTML.
    var checked: [String: TemplateSource] = [:]

    static let bodyHTML = "words/body", bodyText = "words/body.text", preheader = "words/preheader"

    init(_ words: MessageWords, subjectName: String) throws(TemplateError) {
        guard words.subject.contains(where: { !$0.isWhitespace }) else {
            throw TemplateError(file: MessageWords.subjectFile, problem: "the subject is empty")
        }
        guard words.body.contains(where: { !$0.isWhitespace }) else {
            throw TemplateError(file: MessageWords.bodyFile, problem: "the body is empty")
        }
        for (file, text) in [(MessageWords.subjectFile, words.subject), (MessageWords.preheaderFile, words.preheader), (MessageWords.bodyFile, words.body)] {
            try Self.checkTags(text, file: file)
        }
        if words.format == .html { try HTMLBodyCheck.check(words.body) }
        let shield = MustacheShield(words.body)
        let html: String, text: String
        switch words.format {
        case .markdown:
            let document = MarkdownDocument(shield.shielded)
            (html, text) = (document.html, document.text)
        case .html:
            (html, text) = (shield.shielded, HTMLText.convert(shield.shielded))
        }
        // Every tag written is a token now: a `{{` in what the converters made was spelt another way
        // (`\{\{` in Markdown, `&#123;` in HTML) and would be a tag no check has seen.
        for converted in [html, text] where converted.contains("{{") || converted.contains("}}") {
            throw TemplateError(file: MessageWords.bodyFile, problem: "writes {{ or }} in a way the checks cannot see (escaped or as an entity); write variables as {{name}}")
        }
        try Self.checkImageSources(html, shield: shield)
        guard let restoredHTML = shield.restore(html), let restoredText = shield.restore(text) else {
            throw TemplateError(file: MessageWords.bodyFile, problem: words.format == .markdown
                ? "a {{…}} tag sits inside raw HTML, which Markdown leaves out, or a link's address moves it out of its section; write it outside"
                : "a {{…}} tag sits where the text part cannot show it (inside a comment), or a link's address moves it out of its section")
        }
        rendered[subjectName] = words.subject
        rendered[Self.preheader] = try Self.escapedLiterals(words.preheader)
        rendered[Self.bodyHTML] = restoredHTML
        rendered[Self.bodyText] = restoredText
        checked[subjectName] = TemplateSource(file: MessageWords.subjectFile, text: words.subject)
        checked[Self.preheader] = TemplateSource(file: MessageWords.preheaderFile, text: words.preheader)
        checked[Self.bodyHTML] = TemplateSource(file: MessageWords.bodyFile, text: words.body)
        checked[Self.bodyText] = TemplateSource(file: MessageWords.bodyFile, text: words.body)
    }

    /// The preheader is text, set into the HTML part: its own characters escaped (`<`, `&`), its tags kept (their
    /// values are escaped when rendered).
    static func escapedLiterals(_ text: String) throws(TemplateError) -> String {
        let shield = MustacheShield(text)
        guard let restored = shield.restore(HTMLEscaping().escapeText(shield.shielded)) else {
            throw TemplateError(file: MessageWords.preheaderFile, problem: "cannot be set into the HTML part")
        }
        return restored
    }

    /// A person's value in an image's address (or a style's `url(…)`) would tell the image's server who opened the
    /// mail and when: open tracking, which Herald does not do. Values in a link's address are the person's own click.
    static func checkImageSources(_ html: String, shield: MustacheShield) throws(TemplateError) {
        let scalars = Array(html.unicodeScalars)
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "<", let end = HTMLBodyCheck.tagEnd(scalars, from: index + 1) else {
                // No `>` left: no tag either.
                if scalars[index] == "<" { return }
                index += 1
                continue
            }
            let inside = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            index = end + 1
            guard inside.contains(shield.prefix) else { continue }
            let loaded = ["src", "srcset", "background", "poster", "lowsrc", "dynsrc"].compactMap { HTMLText.attribute($0, in: inside) }
            let style = HTMLText.attribute("style", in: inside).flatMap { $0.lowercased().contains("url(") ? $0 : nil }
            for value in loaded + (style.map { [$0] } ?? []) {
                if let token = shield.tokens(in: value)?.first {
                    throw TemplateError(file: MessageWords.bodyFile,
                                        problem: "\(shield.tags[token]) in an image's address would tell its server who opened the mail; personal values may go in links, not images")
                }
            }
        }
    }

    /// What words may not look up, though a message has it: the person's address and the links signed for them.
    /// Words can put a value where a third party reads it (an image's or another site's address); these stay in
    /// the template's frame. (An unknown name is left to the strict check, which names it as having no value.)
    static let withheld: Set<String> = ["email", "recipient.email", "unsubscribe_url", "preferences_url", "confirm_url", "choice_url", "policy.url"]

    static func isAllowed(_ path: String) -> Bool { !withheld.contains(path) }

    /// How deep sections may nest in words: a loop inside a loop multiplies what one message holds.
    static let maxSectionDepth = 3

    /// `first_name`, `attributes.country`, `.` (a list's item), or such a name in a transform (`uppercased(name)`).
    static func isName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    /// Words may look values up and use sections; they may not send a value unescaped into HTML (a name from a
    /// registration form would become markup), include partials or layouts, or change the delimiters.
    static func checkTags(_ text: String, file: String) throws(TemplateError) {
        let tags = MustacheTags(text)
        if tags.changesDelimiters || text.contains("{{%") {
            throw TemplateError(file: file, problem: "changes the tag delimiters or sets a pragma, which campaign words may not")
        }
        if let line = tags.unterminated { throw TemplateError(file: file, line: line, problem: "a tag opened with {{ is never closed") }
        var open: [MustacheTags.Tag] = []
        for tag in tags.tags {
            switch tag.kind {
            case .unescapedVariable:
                throw TemplateError(file: file, line: tag.line, problem: "{{{\(tag.name)}}} would not be escaped; write {{\(tag.name)}}")
            case .partial, .parent, .block:
                throw TemplateError(file: file, line: tag.line, problem: "campaign words cannot include partials or layouts; the template is their frame")
            case .section, .invertedSection:
                if open.contains(where: { $0.name == tag.name }) {
                    throw TemplateError(file: file, line: tag.line, problem: "{{#\(tag.name)}} inside a section of the same name repeats its body without end")
                }
                guard open.count < maxSectionDepth else {
                    throw TemplateError(file: file, line: tag.line, problem: "sections nest at most \(maxSectionDepth) deep in a campaign's words")
                }
                open.append(tag)
            case .close:
                guard let last = open.popLast(), last.closingName == tag.closingName else {
                    throw TemplateError(file: file, line: tag.line, problem: "{{/\(tag.closingName)}} closes no open section")
                }
            case .variable:
                break
            }
            if tag.kind != .close, !isName(tag.name) {
                throw TemplateError(file: file, line: tag.line, problem: "{{\(tag.closingName.prefix(40))}} is not a variable; names are letters, digits, _ and dots, such as {{first_name}}")
            }
            if tag.kind != .close, !isAllowed(tag.name) {
                throw TemplateError(file: file, line: tag.line, problem: "{{\(tag.name)}} cannot be used in a campaign's words: the address and the signed links stay in the template's frame")
            }
        }
        if let unclosed = open.last {
            throw TemplateError(file: file, line: unclosed.line, problem: "{{#\(unclosed.closingName)}} is never closed (expected {{/\(unclosed.closingName)}})")
        }
    }
}
