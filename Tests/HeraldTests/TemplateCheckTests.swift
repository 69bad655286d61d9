import Foundation
import Herald
import Rendering
import Store
import Testing

/// A copy of the shipped templates with some files changed, and an app that uses it.
enum TemplateFixtures {
    static func folder(changing files: [String: String?]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-templates-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestApp.root.appendingPathComponent("Templates"), to: folder)
        for (file, text) in files {
            let url = folder.appendingPathComponent(file)
            if let text {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
            } else {
                try FileManager.default.removeItem(at: url)
            }
        }
        return folder
    }

    static func app(breaking file: String, with text: String) throws -> HeraldApp {
        try app(templates: folder(changing: [file: text]))
    }

    static func app(templates: URL) throws -> HeraldApp {
        let base = try TestApp.make()
        var configuration = base.configuration
        configuration.templates = templates.path
        return try HeraldApp(configuration: configuration)
    }

    /// The problems `herald templates check` reports for a copy of the shipped templates with these changes,
    /// as `file:line: problem` with the copy's folder cut off.
    static func problems(_ files: [String: String?]) throws -> [String] {
        let folder = try folder(changing: files)
        return try app(templates: folder).templateCheck.problems().map {
            $0.description.replacingOccurrences(of: folder.path + "/", with: "")
        }
    }
}

@Suite struct TemplateCheckTests {
    @Test func theShippedTemplatesHaveNoProblems() throws {
        #expect(try TemplateFixtures.problems([:]) == [])
    }

    @Test func aSyntaxErrorIsReportedWithItsLine() throws {
        let problems = try TemplateFixtures.problems(["promotion/text.mustache": "ADVERTISEMENT\nHello\n{{#recipient.has_name}}\nno end\n"])
        #expect(problems == ["promotion/text.mustache:3: {{#recipient.has_name}} is never closed (expected {{/recipient.has_name}})"])
    }

    @Test func unknownVariablesAreNamedWhereTheyAreUsed() throws {
        let problems = try TemplateFixtures.problems([
            "product-news/subject.mustache": "{{campaign.name}} for {{recipient.frist_name}}\n",
        ])
        #expect(problems.contains("product-news/subject.mustache:1: unknown variable {{recipient.frist_name}}: a product-news message has no such value"), "\(problems)")
    }

    @Test func templateYAMLListsWhatTheTemplateUses() throws {
        let yaml = "kind: promotion\nvariables:\n  - campaign.name\n  - recipient.first_name\n  - coupon_code\n"
        let problems = try TemplateFixtures.problems(["promotion/template.yaml": yaml])
        #expect(problems.contains("promotion/template.yaml:5: lists 'coupon_code', which is not a value of a promotion message"), "\(problems)")
        #expect(problems.contains { $0.hasPrefix("promotion/text.mustache:7: uses {{recipient.has_name}}, which template.yaml does not list") }, "\(problems)")
    }

    @Test func commercialMailMustCarryTheUnsubscribeLinkAndThePostalAddressInBothParts() throws {
        let html = try String(contentsOf: TestApp.root.appendingPathComponent("Templates/product-news/html.mustache"), encoding: .utf8)
        let problems = try TemplateFixtures.problems([
            "product-news/text.mustache": "Hello {{recipient.first_name}} {{#recipient.has_name}}{{/recipient.has_name}}\n{{campaign.name}} {{product_list}} {{#has_products}}{{#products}}{{.}}{{/products}}{{/has_products}}\n",
            "product-news/html.mustache": html.replacingOccurrences(of: "{{> partials/footer}}", with: ""),
            "layouts/email.mustache": try String(contentsOf: TestApp.root.appendingPathComponent("Templates/layouts/email.mustache"), encoding: .utf8)
                .replacingOccurrences(of: "{{> partials/footer}}", with: "{{> partials/reason}}"),
        ])
        for part in ["text", "html"] {
            let name = part == "html" ? "HTML" : "text"
            #expect(problems.contains("product-news/\(part).mustache: commercial mail must show the one-click unsubscribe link ({{unsubscribe_url}}) in the \(name) part"), "\(problems)")
            #expect(problems.contains("product-news/\(part).mustache: commercial mail must show the postal address ({{sender.postal_address}}) in the \(name) part"), "\(problems)")
        }
    }

    @Test func aPromotionMustSayItIsAnAdvertisement() throws {
        let problems = try TemplateFixtures.problems(["promotion/text.mustache": "Hello{{#recipient.has_name}} {{recipient.first_name}}{{/recipient.has_name}}\n{{campaign.name}}\n{{> partials/footer.text}}\n"])
        #expect(problems == ["promotion/text.mustache: a promotion must say it is an advertisement (CAN-SPAM), in the text part"])
    }

    @Test func aPolicyNoticeCarriesNothingPromotionalAndLinksToThePreferences() throws {
        let text = try String(contentsOf: TestApp.root.appendingPathComponent("Templates/policy-change/text.mustache"), encoding: .utf8)
        let problems = try TemplateFixtures.problems([
            "policy-change/text.mustache": text.replacingOccurrences(of: "The full policy: {{policy.url}}",
                                                                     with: "The full policy: {{policy.url}} Shop now: 20% discount on every synth!"),
            "partials/footer.text.mustache": "--\n{{> partials/reason.text}}\n{{> partials/postal-address.text}}\n",
        ])
        #expect(problems.contains("policy-change/text.mustache: a policy-change notice must link to the preferences ({{preferences_url}}) in the text part"), "\(problems)")
        #expect(problems.contains { $0.hasPrefix("policy-change/text.mustache:18: a policy-change notice must carry no promotional content") }, "\(problems)")
    }

    @Test func anHTMLPartMustEscapeEveryValue() throws {
        let html = try String(contentsOf: TestApp.root.appendingPathComponent("Templates/promotion/html.mustache"), encoding: .utf8)
        let problems = try TemplateFixtures.problems(["promotion/html.mustache": html.replacingOccurrences(of: "<p style=\"margin:0 0 16px;\">{{campaign.name}}:", with: "<p>{{{campaign.name}}}:")])
        #expect(problems.contains { $0.hasPrefix("promotion/html.mustache:") && $0.contains("{{{campaign.name}}} is not escaped") }, "\(problems)")
    }

    /// A partial is escaped as its own name says: a text partial in an HTML part would leave values unescaped.
    @Test func partsIncludeOnlyPartialsOfTheirOwnKind() throws {
        let html = try String(contentsOf: TestApp.root.appendingPathComponent("Templates/promotion/html.mustache"), encoding: .utf8)
        let problems = try TemplateFixtures.problems([
            "promotion/html.mustache": html.replacingOccurrences(of: "{{/body}}", with: "{{> partials/reason.text}}{{/body}}"),
            "promotion/subject.mustache": "{{campaign.name}} {{> partials/reason}}\n",
        ])
        #expect(problems.contains { $0.hasPrefix("promotion/html.mustache:") && $0.contains("a text partial, whose values would not be escaped") }, "\(problems)")
        #expect(problems.contains("promotion/subject.mustache:1: a subject or text part includes {{> partials/reason}}, an HTML partial, whose values would be HTML-escaped; use a .text partial"), "\(problems)")
    }

    @Test func aMisspeltNameInsideATransformedSectionIsStillFound() throws {
        let text = "ADVERTISEMENT\n{{#recipient.has_name}}{{recipient.first_name}}{{/recipient.has_name}}{{campaign.name}}\n{{^empty(products)}}{{recipient.frist_name}}{{/empty(products)}}\n{{> partials/footer.text}}\n"
        let problems = try TemplateFixtures.problems(["promotion/text.mustache": text])
        #expect(problems.contains { $0.hasPrefix("promotion/text.mustache:3: unknown variable {{recipient.frist_name}}") }, "\(problems)")
    }

    @Test func aMissingPartialAndAMissingPartAreReported() throws {
        let problems = try TemplateFixtures.problems(["promotion/html.mustache": nil, "product-news/text.mustache": "{{> partials/nope}}\n"])
        #expect(problems.contains { $0.hasSuffix("promotion/html.mustache: missing; a template needs subject, text and html parts") }, "\(problems)")
        #expect(problems.contains("product-news/text.mustache:1: {{> partials/nope}}: no partial of that name (partials are named folder/file, as partials/footer)"), "\(problems)")
    }

    /// Strict rendering: a variable the data lacks stops the campaign before anyone is mailed.
    @Test func aCampaignWithABrokenTemplateIsRefusedUpFrontOrFailsAsAWhole() throws {
        let folder = try TemplateFixtures.folder(changing: [:])
        let app = try TemplateFixtures.app(templates: folder)
        for email in ["a@example.com", "b@example.com"] {
            try app.consent.register(Registration(email: email, consents: [.promotions], source: "test"))
        }
        let subject = folder.appendingPathComponent("promotion/subject.mustache")
        try "{{campaign.nmae}}\n".write(to: subject, atomically: true, encoding: .utf8)
        #expect(throws: HeraldError.self, "created against the broken file: refused") {
            try app.campaigns.create(kind: .promotion, template: "promotion", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        }
        // Created while the file was good, broken before the campaign starts: it fails as a whole.
        try "{{campaign.name}}\n".write(to: subject, atomically: true, encoding: .utf8)
        let campaign = try app.campaigns.create(kind: .promotion, template: "promotion", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        try "{{campaign.nmae}}\n".write(to: subject, atomically: true, encoding: .utf8)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        let report = try app.campaigns.report(id: campaign.id)
        #expect(transport.recipients.isEmpty)
        #expect(report.status == .failed && report.counts.failed == 0 && report.counts.queued == 0)
        #expect(report.problem?.hasSuffix("promotion/subject.mustache:1: {{campaign.nmae}} has no value in the data of a promotion message") == true)
    }
}
