import Foundation
import Testing
@testable import Rendering

/// The kinds the application passes in (`CampaignKind`); Rendering itself knows none.
let kinds = ["product-news", "promotion", "policy-change", "confirmation"]

struct TemplateCatalogTests {
    static let shippedTemplates = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates").path

    func temporaryCatalog(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        for (path, content) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
        return root.path
    }

    @Test func shippedTemplatesLoadWithTheirKinds() throws {
        let catalog = try TemplateCatalog(directory: Self.shippedTemplates, kinds: kinds)
        #expect(catalog.template(named: "product-news")?.kind == "product-news")
        #expect(catalog.template(named: "promotion")?.kind == "promotion")
        #expect(catalog.template(named: "policy-change")?.kind == "policy-change")
        #expect(catalog.template(named: "confirmation")?.kind == "confirmation")
        #expect(catalog.template(named: "partials") == nil && catalog.template(named: "pages") == nil)
        #expect(try PageCatalog(templates: Self.shippedTemplates).pages.isSuperset(of: ["unsubscribe", "preferences", "register", "confirm", "message"]))
    }

    @Test func textPartsAreNotHTMLEscapedButHTMLPartsAre() throws {
        let directory = try temporaryCatalog([
            "t/template.yaml": "kind: promotion\n",
            "t/subject.mustache": "Tom & Jerry <3 {{name}}\n",
            "t/text.mustache": "Hi {{name}}\n{{> partials/sig.text}}",
            "t/html.mustache": "<p>Hi {{name}}</p>{{> partials/sig}}",
            "partials/sig.text.mustache": "-- {{name}}",
            "partials/sig.mustache": "<i>{{name}}</i>",
        ])
        let rendered = try TemplateCatalog(directory: directory, kinds: kinds).render("t", context: ["name": "A&B <x>"])
        #expect(rendered.subject == "Tom & Jerry <3 A&B <x>")
        #expect(rendered.text == "Hi A&B <x>\n-- A&B <x>")
        #expect(rendered.html == "<p>Hi A&amp;B &lt;x&gt;</p><i>A&amp;B &lt;x&gt;</i>")
        // All five characters HTML needs escaped, in attribute values too; other text (non-ASCII) as it is.
        let quoted = try TemplateCatalog(directory: directory, kinds: kinds).render("t", context: ["name": "Zoë \"O'Neil\" <b>&amp;</b> 😀"])
        #expect(quoted.html == "<p>Hi Zoë &quot;O&#39;Neil&quot; &lt;b&gt;&amp;amp;&lt;/b&gt; 😀</p><i>Zoë &quot;O&#39;Neil&quot; &lt;b&gt;&amp;amp;&lt;/b&gt; 😀</i>")
    }

    @Test func problemsAreReportedWithFileAndLine() throws {
        let missingPart = try temporaryCatalog(["t/template.yaml": "kind: promotion\n", "t/subject.mustache": "x", "t/text.mustache": "x"])
        #expect(throws: TemplateError.self) { try TemplateCatalog(directory: missingPart, kinds: kinds) }

        let badKind = try temporaryCatalog(["t/template.yaml": "# comment\nkind: spam\n", "t/subject.mustache": "x", "t/text.mustache": "x", "t/html.mustache": "x"])
        do {
            _ = try TemplateCatalog(directory: badKind, kinds: kinds)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasSuffix("t/template.yaml:2: unknown kind 'spam'; expected one of product-news, promotion, policy-change, confirmation"))
        }

        let unclosed = try temporaryCatalog(["t/template.yaml": "kind: promotion\n", "t/subject.mustache": "x", "t/text.mustache": "a\n{{#open}}\nb", "t/html.mustache": "x"])
        do {
            _ = try TemplateCatalog(directory: unclosed, kinds: kinds)
            Issue.record("expected an error")
        } catch {
            #expect(error.file.hasSuffix("t/text.mustache"))
            #expect(error.line != nil)
        }
        #expect(throws: TemplateError.self) { try TemplateCatalog(directory: "/nonexistent/templates", kinds: kinds) }
    }

    /// The subject's one-line form on scalars equals the obvious one on Characters and Foundation's trimming,
    /// whatever mix of line breaks, Unicode white space and combining marks surrounds the words.
    @Test func oneLineSubjectsMatchSplittingAndTrimming() {
        let pieces = ["a", "Zoë", "e\u{301}", " ", "\t", "\u{A0}", "\u{3000}", "\u{2003}", "\n", "\r", "\r\n", "\u{85}",
                      "\u{2028}", "\u{2029}", "\u{0B}", "\u{0C}", "\u{200B}", "\u{301}", "=?", "🎉", "\u{1F1FA}\u{1F1F8}"]
        func reference(_ subject: String) -> String {
            subject.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: " ")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let subject = (0..<Int.random(in: 0...9, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(TemplateCatalog.oneLine(subject) == reference(subject), "\(subject.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(TemplateCatalog.oneLine("  Spring news\n\n  for Zoë \r\n") == "Spring news for Zoë")
    }
}

/// Strict rendering: a value the template looks up that the data lacks is an error at its file and line,
/// through partials, layouts and sections; what a section does not render is not looked up.
@Suite struct StrictRenderingTests {
    static func catalog(_ files: [String: String]) throws -> TemplateCatalog {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("strict-\(UUID().uuidString)")
        for (path, content) in files.merging(["t/template.yaml": "kind: promotion\n"], uniquingKeysWith: { $1 }) {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
        return try TemplateCatalog(directory: root.path, kinds: kinds)
    }

    static let parts = ["t/subject.mustache": "Hi {{name}}", "t/text.mustache": "{{> partials/foot.text}}",
                        "t/html.mustache": "{{<frame}}{{$body}}<p>{{name}}</p>{{/body}}{{/frame}}",
                        "partials/foot.text.mustache": "-- {{#items}}{{label}}{{/items}}\n{{sender.address}}",
                        "layouts/frame.mustache": "<html>{{$body}}{{/body}}{{company}}</html>"]

    @Test func missingValuesAreErrorsAtTheirLine() throws {
        let catalog = try Self.catalog(Self.parts)
        let full: [String: Any] = ["name": "Zoë <b>", "items": [["label": "one"]], "sender": ["address": "1 Street"], "company": "Co & Co"]
        let rendered = try catalog.render("t", context: full)
        #expect(rendered.subject == "Hi Zoë <b>" && rendered.html == "<html><p>Zoë &lt;b&gt;</p>Co &amp; Co</html>")
        #expect(rendered.text == "-- one\n1 Street")
        for (key, file) in [("company", "layouts/frame.mustache:1"), ("sender", "partials/foot.text.mustache:2"), ("name", "t/subject.mustache:1")] {
            var lacking = full
            lacking[key] = nil
            #expect {
                _ = try catalog.render("t", context: lacking)
            } throws: { error in
                (error as? TemplateError)?.description.hasSuffix("\(file): {{\(key == "sender" ? "sender.address" : key)}} has no value in the data of a promotion message") == true
            }
        }
        var noLabel = full
        noLabel["items"] = [["label": "one"], ["other": "two"]]
        #expect(throws: TemplateError.self, "every item of a list is checked") { try catalog.render("t", context: noLabel) }
        var empty = full
        empty["items"] = [[String: Any]]()
        #expect(try catalog.render("t", context: empty).text == "-- \n1 Street", "an empty list renders nothing and looks nothing up")
    }
}
