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
        if words.format == .html { try Self.checkMarkup(words.body) }
        let shield = MustacheShield(words.body)
        let html: String, text: String
        switch words.format {
        case .markdown:
            let document = MarkdownDocument(shield.shielded)
            (html, text) = (document.html, document.text)
        case .html:
            (html, text) = (shield.shielded, HTMLText.convert(shield.shielded))
        }
        guard let restoredHTML = shield.restore(html), let restoredText = shield.restore(text, reordered: true) else {
            throw TemplateError(file: MessageWords.bodyFile, problem: words.format == .markdown
                ? "a {{…}} tag sits inside raw HTML, which Markdown leaves out; write it outside the HTML"
                : "a {{…}} tag sits where the text part cannot show it (inside a comment, a script or a style)")
        }
        rendered[subjectName] = words.subject
        rendered[Self.preheader] = words.preheader
        rendered[Self.bodyHTML] = restoredHTML
        rendered[Self.bodyText] = restoredText
        checked[subjectName] = TemplateSource(file: MessageWords.subjectFile, text: words.subject)
        checked[Self.preheader] = TemplateSource(file: MessageWords.preheaderFile, text: words.preheader)
        checked[Self.bodyHTML] = TemplateSource(file: MessageWords.bodyFile, text: words.body)
        checked[Self.bodyText] = TemplateSource(file: MessageWords.bodyFile, text: words.body)
    }

    /// `first_name`, `attributes.country`, `.` (a list's item): what words may look up, no transforms.
    static func isName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    /// Elements an HTML body may not hold: scripts and embedded documents do nothing in mail but harm, and
    /// `<base>`/`<meta>` would change how the frame's own links and page are read.
    static let refusedElements = ["script", "iframe", "object", "embed", "base", "meta", "link", "form"]
    /// Elements whose content is raw text to a browser: left open, they would swallow the frame after the body
    /// (its unsubscribe link and postal address), as an unclosed comment would.
    static let rawTextElements = ["style", "title", "textarea", "noscript", "template", "xmp"]

    /// An HTML body is set into the frame as written, so it must not be able to hide or change what follows it.
    static func checkMarkup(_ body: String) throws(TemplateError) {
        let lower = body.lowercased()
        func line(of index: String.Index) -> Int { lower[..<index].reduce(1) { $1 == "\n" ? $0 + 1 : $0 } }
        for element in refusedElements {
            if let found = lower.range(of: "<" + element, options: []), lower[found.upperBound...].first.map({ !$0.isLetter && !$0.isNumber }) ?? true {
                throw TemplateError(file: MessageWords.bodyFile, line: line(of: found.lowerBound), problem: "<\(element)> has no place in a message; remove it")
            }
        }
        var search = lower.startIndex
        while let open = lower.range(of: "<!--", range: search..<lower.endIndex) {
            guard let close = lower.range(of: "-->", range: open.upperBound..<lower.endIndex) else {
                throw TemplateError(file: MessageWords.bodyFile, line: line(of: open.lowerBound),
                                    problem: "a comment (<!--) that is never closed would hide the template's footer")
            }
            search = close.upperBound
        }
        for element in rawTextElements {
            var from = lower.startIndex
            while let open = lower.range(of: "<" + element, range: from..<lower.endIndex) {
                guard lower[open.upperBound...].first.map({ !$0.isLetter && !$0.isNumber }) ?? true else { from = open.upperBound; continue }
                guard let close = lower.range(of: "</" + element, range: open.upperBound..<lower.endIndex) else {
                    throw TemplateError(file: MessageWords.bodyFile, line: line(of: open.lowerBound),
                                        problem: "<\(element)> is never closed; it would swallow the template's footer")
                }
                from = close.upperBound
            }
        }
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
        }
        if let unclosed = open.last {
            throw TemplateError(file: file, line: unclosed.line, problem: "{{#\(unclosed.closingName)}} is never closed (expected {{/\(unclosed.closingName)}})")
        }
    }
}
