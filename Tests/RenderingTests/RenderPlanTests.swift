import Foundation
import Testing
@testable import Rendering

/// A catalog renders each template once per shape of the recipient's values and fills in the rest; whatever
/// the template does with those values, the result must be exactly what a full rendering gives.
struct RenderPlanTests {
    static let templates: [String: String] = [
        // Escaped and raw uses, sections and inverted sections on a personal string, `.` inside them.
        "plain/template.yaml": "kind: promotion\n",
        "plain/subject.mustache": "News {{#first_name}}for {{.}}{{/first_name}}\n{{^first_name}}for you{{/first_name}}",
        "plain/text.mustache": "Hi {{name}} <{{email}}>\n{{#products}}- {{.}}{{#first()}} (first){{/first()}}\n{{/products}}{{> partials/foot.text}}",
        "plain/html.mustache": "<p title=\"{{name}}\">{{{name}}} &amp; {{name}}</p><ul>{{#products}}<li>{{.}}{{^last()}},{{/last()}}</li>{{/products}}</ul>{{> partials/foot}}",
        "partials/foot.text.mustache": "-- {{campaign}} {{url}}",
        "partials/foot.mustache": "<a href=\"{{url}}\">{{campaign}}</a>",
        // Transforms change the value itself: the plan must see that and render such a template every time.
        "transformed/template.yaml": "kind: promotion\n",
        "transformed/subject.mustache": "{{uppercased(name)}} {{capitalized(first_name)}}",
        "transformed/text.mustache": "{{reversed(name)}} {{lowercased(email)}}",
        "transformed/html.mustache": "{{#sorted(products)}}{{.}};{{/sorted(products)}} {{count(products)}}",
    ]

    static func context(_ personal: [String], campaign: String) -> [String: Any] {
        ["name": personal[0], "first_name": personal[1], "email": personal[2], "url": personal[3],
         "products": Array(personal[4...]), "campaign": campaign]
    }

    static let awkward = ["", "Ann", "Zoë <b>&amp;</b> \"O'Neil\"", "\u{E000}&Ka100000\u{E001}", "&amp;Ka100001",
                          "line\nbreak", "😀 emoji", "ZED", "alpha", "  spaced  ", "{{name}}", "b&b"]

    @Test(arguments: ["plain", "transformed"])
    func planningNeverChangesTheOutput(template: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("plans-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, content) in Self.templates {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
        let catalog = try TemplateCatalog(directory: root.path, kinds: kinds)
        #expect(catalog.plannable)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<400 {
            let products = (0..<Int.random(in: 0...4, using: &generator)).map { _ in Self.awkward.randomElement(using: &generator)! }
            let personal = (0..<4).map { _ in Self.awkward.randomElement(using: &generator)! } + products
            let campaign = round % 2 == 0 ? "Spring & summer" : "Autumn"
            let shape = "\(campaign)|\(products.count)"
            let planned = try catalog.render(template, personal: personal, shape: shape) { Self.context($0, campaign: campaign) }
            let direct = try catalog.render(template, context: Self.context(personal, campaign: campaign))
            #expect(planned == direct, "\(personal)")
            if planned != direct { return }
            // A value with a line break always renders in full (an indented partial would indent after it).
            if personal.contains(where: { $0.contains("\n") }) { continue }
            let key = RenderPlans.Key(template: template, shape: shape, empty: personal.map(\.isEmpty))
            // The transforms see a value only if it is not empty (and sorting needs two); with nothing for them
            // to see, a plan is right too, and the comparison above has checked it.
            let transformsSeeAValue = personal[0..<3].contains { !$0.isEmpty } || products.filter { !$0.isEmpty }.count >= 2
            switch (template, catalog.plans.entry(for: key)) {
            case ("plain", .planned), ("transformed", .renderEachTime): break
            case ("transformed", .planned) where !transformsSeeAValue: break
            case (_, let entry): Issue.record("\(template): \(String(describing: entry)) for \(personal)"); return
            }
        }
    }

    @Test func aCatalogWithValueNamedPartialsRendersInFull() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("plans-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = [
            "dyn/template.yaml": "kind: promotion\n",
            "dyn/subject.mustache": "Hello",
            "dyn/text.mustache": "{{>*name}}",
            "dyn/html.mustache": "<p>{{name}}</p>",
            "partials/sig.mustache": "signed, {{campaign}}",
        ]
        for (path, content) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
        let catalog = try TemplateCatalog(directory: root.path, kinds: kinds)
        #expect(!catalog.plannable)
        let personal = ["partials/sig", "", "", ""]
        let planned = try catalog.render("dyn", personal: personal, shape: "s") { Self.context($0, campaign: "C") }
        #expect(planned.text == "signed, C")
        #expect(planned == (try catalog.render("dyn", context: Self.context(personal, campaign: "C"))))
    }

    @Test func aPlanSplitsAtPlaceholdersOnlyAndKnowsWhichWereEscaped() {
        let first = RenderPlan.Marker.first
        let rendered = "a" + first.placeholder(slot: 0) + "b" + first.placeholder(slot: 1).replacingOccurrences(of: "&", with: "&amp;")
            + "\u{E000}&Ka1\u{E001}" + "\u{E000}&zWy199999\u{E001}"
        let plan = RenderPlan(parsing: rendered)
        #expect(plan.segments == [.literal("a"), .value(slot: 0, escaped: false), .literal("b"), .value(slot: 1, escaped: true),
                                  .literal("\u{E000}&Ka1\u{E001}\u{E000}&zWy199999\u{E001}")])
        #expect(plan.filled(with: ["<x>", "<y>"], escape: { "[" + $0 + "]" }) == "a<x>b[<y>]\u{E000}&Ka1\u{E001}\u{E000}&zWy199999\u{E001}")
        #expect(plan.filled(with: ["only one"], escape: { $0 }) == nil)
    }
}
