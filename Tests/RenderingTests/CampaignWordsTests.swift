import Foundation
import Testing
@testable import Rendering

/// A campaign's own words set in a template's frame: Markdown through cmark-gfm and HTML, each with a text
/// part made from the same source, Mustache tags kept through the conversion, problems on the line the
/// marketer wrote, and nothing the words can do to the frame.
struct CampaignWordsTests {
    func frame() throws -> TemplateCatalog {
        let directory = try TemplateCatalogTests().temporaryCatalog([
            "promo/template.yaml": "kind: promotion\n",
            "promo/subject.mustache": "Own subject\n",
            "promo/text.mustache": "ADVERTISEMENT\n\n{{#has_words}}\n{{{content}}}\n{{/has_words}}\n{{^has_words}}Own words{{/has_words}}\n-- Unsubscribe: {{unsubscribe_url}}\n",
            "promo/html.mustache": "<div class=\"pre\">{{{preheader}}}</div><b>ADVERTISEMENT</b>{{#has_words}}{{{content}}}{{/has_words}}<footer><a href=\"{{unsubscribe_url}}\">Unsubscribe</a></footer>",
            "bare/template.yaml": "kind: promotion\n",
            "bare/subject.mustache": "s", "bare/text.mustache": "t", "bare/html.mustache": "h",
        ])
        return try TemplateCatalog(directory: directory, kinds: kinds)
    }

    func data(first: String = "Ivan", code: String = "UP-1") -> [String: Any] {
        ["has_words": true, "first_name": first, "attributes": ["upgrade_code": code], "unsubscribe_url": "https://x.example/u/T"]
    }

    @Test func markdownBecomesHTMLAndReadableTextWithTheFrameKept() throws {
        let words = MessageWords(subject: "Sale for {{first_name}}", preheader: "Two weeks only", body: """
            # Winter sale

            Hello {{first_name}}, our **sale** starts:

            - 20 % off synths
            - free cables

            Your code: {{attributes.upgrade_code}}. See [the shop](https://shop.example.com/?c={{attributes.upgrade_code}}).
            """, format: .markdown)
        let message = try frame().framing(words, in: "promo").render("promo", context: data(first: "Ivan & <Co>"))
        #expect(message.subject == "Sale for Ivan & <Co>")
        #expect(message.html.contains("<h1>Winter sale</h1>"))
        #expect(message.html.contains("<p>Hello Ivan &amp; &lt;Co&gt;, our <strong>sale</strong> starts:</p>"), "\(message.html)")
        #expect(message.html.contains("<li>20 % off synths</li>"))
        #expect(message.html.contains("<a href=\"https://shop.example.com/?c=UP-1\">the shop</a>"))
        #expect(message.html.contains("<div class=\"pre\">Two weeks only</div>") && message.html.contains("ADVERTISEMENT"))
        #expect(message.html.contains("href=\"https://x.example/u/T\""))
        #expect(message.text.hasPrefix("ADVERTISEMENT\n\nWinter sale\n===========\n\nHello Ivan & <Co>, our sale starts:\n\n- 20 % off synths\n- free cables"), "\(message.text)")
        #expect(message.text.contains("See the shop [1].\n\nLinks:\n[1] https://shop.example.com/?c=UP-1\n"), "\(message.text)")
        #expect(message.text.contains("-- Unsubscribe: https://x.example/u/T"))
    }

    @Test func htmlBodiesGetATextPartWithLinksListed() throws {
        let words = MessageWords(subject: "News", preheader: "", body: """
            <h2>Hi {{first_name}}</h2><p>Read&nbsp;<a href="https://a.example/x?y=1&amp;z=2">this</a> &amp; that.</p>
            <ul><li>one</li><li>two</li></ul><!-- {{not_a_tag_to_lose}} -->
            """, format: .html)
        let error = #expect(throws: TemplateError.self) { try frame().framing(words, in: "promo") }
        #expect(error?.file == "body" && error?.problem.contains("comment") == true, "\(String(describing: error))")
        var fixed = words
        fixed.body = fixed.body.replacingOccurrences(of: "<!-- {{not_a_tag_to_lose}} -->", with: "")
        let message = try frame().framing(fixed, in: "promo").render("promo", context: data())
        #expect(message.text.contains("Hi Ivan\n\nRead this [1] & that.\n\n- one\n- two"), "\(message.text)")
        #expect(message.text.contains("[1] https://a.example/x?y=1&z=2"), "\(message.text)")
        #expect(!message.text.contains("color"))
        #expect(message.html.contains("<h2>Hi Ivan</h2>"))
    }

    @Test func problemsNameTheLineTheMarketerWrote() throws {
        let words = MessageWords(subject: "Hi", preheader: "", body: "Line one\n\nLine three {{frist_name}}\n", format: .markdown)
        let framed = try frame().framing(words, in: "promo")
        let error = #expect(throws: TemplateError.self) { try framed.render("promo", context: data()) }
        #expect(error?.description == "body:3: {{frist_name}} has no value in the data of a promotion message", "\(String(describing: error))")
        let subject = MessageWords(subject: "Hi {{nobody}}", preheader: "", body: "x", format: .markdown)
        let subjectError = #expect(throws: TemplateError.self) { try frame().framing(subject, in: "promo").render("promo", context: data()) }
        #expect(subjectError?.description.hasPrefix("subject:1: {{nobody}}") == true, "\(String(describing: subjectError))")
    }

    /// Words cannot unescape a value (a name from a public form would become markup), include partials, change
    /// delimiters, or lose a tag inside raw HTML that Markdown leaves out.
    @Test(arguments: [
        ("Hi {{{first_name}}}", "would not be escaped"),
        ("Hi {{&first_name}}", "would not be escaped"),
        ("{{> partials/footer}}", "cannot include partials"),
        ("{{=<% %>=}}", "delimiters"),
        ("{{#a}} open", "never closed"),
        ("<div>{{first_name}}</div>", "raw HTML"),
        ("Hi {{first_nam\n[link](https://x.example/?c={{attributes.code}})", "is not a variable"),
    ])
    func forbiddenTagsAreRefusedWithTheirLine(_ body: String, _ expected: String) throws {
        let words = MessageWords(subject: "Hi", preheader: "", body: body, format: .markdown)
        let error = #expect(throws: TemplateError.self) { try frame().framing(words, in: "promo") }
        #expect(error?.file == "body" && error?.problem.contains(expected) == true, "\(String(describing: error))")
    }

    /// An HTML body is set in the frame as written: it may not carry scripts, nor leave open what would swallow the
    /// frame's footer (its unsubscribe link and postal address).
    @Test(arguments: [
        ("<p>Hi</p>\n<script>alert(1)</script>", 2, "<script>"),
        ("<p>Hi</p><IFRAME src=x>", 1, "<iframe>"),
        ("<p>Hi</p>\n\n<!-- hide the rest", 3, "never closed"),
        ("<p>Hi</p><style>a { display: none }</style>", 1, "<style>"),
        ("<textarea>", 1, "<textarea>"),
        ("<p>Hi</p>\n<div style=\"display:none\">", 2, "<div> is never closed"),
        ("<p>Hi <span title=\"x>", 1, "never closed"),
        ("<p>Hi</p></td></tr></table>", 1, "</td> closes an element the body did not open"),
        ("<noembed>", 1, "<noembed>"),
        ("<div style=\"position:absolute;top:0\">x</div>", 1, "position"),
    ])
    func htmlThatWouldHideTheFrameIsRefused(_ body: String, _ line: Int, _ expected: String) throws {
        let words = MessageWords(subject: "Hi", preheader: "", body: body, format: .html)
        let error = #expect(throws: TemplateError.self) { try frame().framing(words, in: "promo") }
        #expect(error?.file == "body" && error?.line == line && error?.problem.contains(expected) == true, "\(String(describing: error))")
        // <styles> or <scripts> as words of text, closed elements, ends HTML lets one leave out, and a < that is
        // text are fine.
        let fine = MessageWords(subject: "Hi", preheader: "", body: "<p>The <b>scripts</b> of <i>styles</i><ul><li>a<li>b</ul><p>1 < 2<br><!-- ok -->",
                                format: .html)
        _ = try frame().framing(fine, in: "promo")
    }

    /// What the review found: tags spelt another way than `{{`, markup in the preheader, a loop in a loop,
    /// the address or a signed link in the words, a person's value in an image's address, a value moved out
    /// of its section by the text part's list of links.
    @Test(arguments: [
        (MessageWords.Format.markdown, "Hi \\{\\{> words/body.text\\}\\}", "escaped or as an entity"),
        (.html, "<p>&#123;&#123;> words/body.text&#125;&#125;</p>", "escaped or as an entity"),
        (.markdown, "{{#products}}{{#products}}x{{/products}}{{/products}}", "same name"),
        (.markdown, "{{#a}}{{#b}}{{#c}}{{#d}}x{{/d}}{{/c}}{{/b}}{{/a}}", "at most 3 deep"),
        (.markdown, "Write to {{email}}", "cannot be used"),
        (.html, "<a href=\"{{unsubscribe_url}}\">x</a>", "cannot be used"),
        (.markdown, "![](https://t.example/p.gif?c={{attributes.code}})", "image's address"),
        (.html, "<p style=\"background:url(https://t.example/{{first_name}})\">x</p>", "image's address"),
        (.markdown, "{{#products}}\n[{{.}}](https://shop.example/{{.}})\n{{/products}}", "out of its section"),
    ])
    func wordsCannotReachPastTheirChecks(_ format: MessageWords.Format, _ body: String, _ expected: String) throws {
        let words = MessageWords(subject: "Hi", preheader: "", body: body, format: format)
        let error = #expect(throws: TemplateError.self) { try frame().framing(words, in: "promo") }
        #expect(error?.file == "body" && error?.problem.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func thePreheaderIsTextAndABareLinkMayCarryAValue() throws {
        let words = MessageWords(subject: "Hi", preheader: "Sale <div> & more for {{first_name}}",
                                 body: "Redeem at https://shop.example/redeem/{{attributes.upgrade_code}} today", format: .markdown)
        let message = try frame().framing(words, in: "promo").render("promo", context: data(first: "<b>"))
        #expect(message.html.contains("<div class=\"pre\">Sale &lt;div&gt; &amp; more for &lt;b&gt;</div>"), "\(message.html)")
        #expect(message.html.contains("<a href=\"https://shop.example/redeem/UP-1\">https://shop.example/redeem/UP-1</a>"), "\(message.html)")
        #expect(message.text.contains("Redeem at https://shop.example/redeem/UP-1 today"), "\(message.text)")
    }

    /// cmark-gfm's safe mode: raw HTML and script links never reach the message from Markdown.
    @Test func markdownCannotCarryMarkupOrScriptLinks() throws {
        let words = MessageWords(subject: "Hi", preheader: "", body: "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
                                 format: .markdown)
        let message = try frame().framing(words, in: "promo").render("promo", context: data())
        #expect(!message.html.contains("<script") && !message.html.contains("javascript:") && !message.html.contains("onerror"), "\(message.html)")
    }

    @Test func aTemplateWithoutTheSlotCannotFrameWords() throws {
        let words = MessageWords(subject: "Hi", preheader: "", body: "x", format: .markdown)
        let error = #expect(throws: TemplateError.self) { try frame().framing(words, in: "bare") }
        #expect(error?.problem.contains("{{{content}}}") == true)
    }

    /// Framed once per words: the same words give the same catalog, and rendering many people uses its plans.
    @Test func framingIsMadeOncePerWords() throws {
        let catalog = try frame()
        let words = MessageWords(subject: "Hi {{first_name}}", preheader: "", body: "Hello {{first_name}}", format: .markdown)
        let first = try catalog.framing(words, in: "promo")
        let again = try catalog.framing(words, in: "promo")
        #expect(first.framed === again.framed)
        for name in ["Ada", "Grace", "Ivan"] {
            let message = try first.render("promo", personal: [name], shape: "s") { ["has_words": true, "first_name": $0[0], "unsubscribe_url": "u",
                                                                                  "attributes": [String: Any]()] }
            #expect(message.subject == "Hi \(name)" && message.html.contains("<p>Hello \(name)</p>"))
        }
    }
}
