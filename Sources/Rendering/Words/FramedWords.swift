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
                if tag.name.isEmpty { throw TemplateError(file: file, line: tag.line, problem: "an empty {{}} tag") }
            }
        }
        if let unclosed = open.last {
            throw TemplateError(file: file, line: unclosed.line, problem: "{{#\(unclosed.closingName)}} is never closed (expected {{/\(unclosed.closingName)}})")
        }
    }
}
