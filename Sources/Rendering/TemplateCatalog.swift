import Foundation
import Mustache

/// The templates folder, parsed once: every `Templates/<name>/` with its three parts and its metadata,
/// and the shared partials under `Templates/partials/`.
///
/// Subjects, text bodies and partials whose file name ends in `.text.mustache` render without HTML escaping;
/// HTML bodies and their partials escape every value. Authors need no pragma for that.
public struct TemplateCatalog: Sendable {
    public static let partsNeeded = ["subject", "text", "html"]

    public let directory: String
    public let templates: [String: MessageTemplate]
    let library: MustacheLibrary
    let plans = RenderPlans()
    /// False when some file uses what the placeholder check cannot see through: a partial or parent named by a
    /// value (`{{>*name}}`), changed delimiters, or its own content-type pragma (another escaper than the one
    /// plans fill in with). Such a catalog renders every message in full.
    let plannable: Bool

    /// Every template part's lookups (`product-news/html` → its tree), for strict rendering.
    let variableTrees: [String: [VariableNode]]
    /// Every registered file's source, by registered name (what the variable trees are built from).
    let sources: [String: TemplateSource]
    /// The catalogs of campaigns' words set in their frames (`framing`), kept while they are used.
    let framed = FramedCatalogs()

    /// `kinds`: the names a `template.yaml` may give as its kind (the application's kinds of mail). Stops at the
    /// first problem; `herald templates check` reports them all (`TemplateCatalog.lint`).
    public init(directory: String, kinds: [String]) throws(TemplateError) {
        Self.registerContentTypes
        let folder = TemplateFolder(directory: directory, kinds: kinds)
        if let first = folder.problems.first { throw first }
        var library = MustacheLibrary()
        for file in folder.files.values { if let parsed = file.parsed { library.register(parsed, named: file.name) } }
        var templates: [String: MessageTemplate] = [:]
        var trees: [String: [VariableNode]] = [:]
        let sources = folder.sources
        for template in folder.templates {
            guard let metadata = template.metadata else { continue }
            for part in Self.partsNeeded {
                let name = template.name + "/" + part
                do { trees[name] = try VariableTree.build(name, sources: sources) } catch {
                    throw TemplateError(file: error.file, line: error.line, problem: error.text)
                }
            }
            templates[template.name] = MessageTemplate(name: template.name, kind: metadata.kind, description: metadata.description,
                                                       variables: metadata.variables?.map(\.name))
        }
        self.init(directory: directory, templates: templates, library: library, plannable: folder.files.values.allSatisfy(\.plannable),
                  variableTrees: trees, sources: sources)
    }

    init(directory: String, templates: [String: MessageTemplate], library: MustacheLibrary, plannable: Bool,
         variableTrees: [String: [VariableNode]], sources: [String: TemplateSource]) {
        self.directory = directory
        self.templates = templates
        self.library = library
        self.plannable = plannable
        self.variableTrees = variableTrees
        self.sources = sources
    }

    public func template(named name: String) -> MessageTemplate? { templates[name] }

    /// Every value a template's three parts look up, through its partials and layout, with where.
    public func lookups(of name: String) -> [(path: String, file: String, line: Int)] {
        Self.partsNeeded.flatMap { (variableTrees[name + "/" + $0] ?? []).lookups }
    }

    public var templateNames: [String] { templates.keys.sorted() }

    /// Renders the three parts. `context` is a tree of dictionaries, arrays, strings, numbers and booleans.
    public func render(_ name: String, context: [String: Any]) throws(TemplateError) -> RenderedMessage {
        let (subject, text, html) = try renderParts(name, context: context)
        return RenderedMessage(subject: Self.oneLine(subject), text: text, html: html)
    }

    /// Renders the three parts for one recipient of many. `personal` holds the strings that differ from one
    /// recipient to the next, and `context` builds the context from them (or from stand-ins for them);
    /// everything else the context holds must be the same for every call with the same `shape`.
    ///
    /// The first call for a template and shape renders twice with two sets of placeholders and keeps the result
    /// as a plan only if filling the first rendering with the second set gives the second rendering exactly;
    /// later calls only fill in. The output is the same as `render(_:context:)` with `context(personal)`.
    public func render(_ name: String, personal: [String], shape: String,
                       context: ([String]) -> [String: Any]) throws(TemplateError) -> RenderedMessage {
        // A line break in a value would change how an indented partial indents what follows it.
        guard plannable, !personal.contains(where: { $0.utf8.contains { $0 == 10 || $0 == 13 } }) else {
            return try render(name, context: context(personal))
        }
        let key = RenderPlans.Key(template: name, shape: shape, empty: personal.map(\.isEmpty))
        var entry = plans.entry(for: key)
        if entry == nil {
            let made = try plan(name, personal: personal, context: context)
            plans.store(made, for: key)
            entry = made
        }
        if case .planned(let subjectPlan, let textPlan, let htmlPlan) = entry,
           let subject = subjectPlan.filled(with: personal, escape: Self.escape),
           let text = textPlan.filled(with: personal, escape: Self.escape),
           let html = htmlPlan.filled(with: personal, escape: Self.escape) {
            return RenderedMessage(subject: Self.oneLine(subject), text: text, html: html)
        }
        return try render(name, context: context(personal))
    }

    private func plan(_ name: String, personal: [String],
                      context: ([String]) -> [String: Any]) throws(TemplateError) -> RenderPlans.Entry {
        func standIns(_ marker: RenderPlan.Marker) -> [String] {
            personal.indices.map { personal[$0].isEmpty ? "" : marker.placeholder(slot: $0) }
        }
        guard RenderPlan.Marker.slots.contains(personal.count) else { return .renderEachTime }
        let checkValues = standIns(.check)
        let first = try renderParts(name, context: context(standIns(.first)))
        let check = try renderParts(name, context: context(checkValues))
        let plans = [first.0, first.1, first.2].map(RenderPlan.init(parsing:))
        for (plan, expected) in zip(plans, [check.0, check.1, check.2])
        where plan.filled(with: checkValues, escape: Self.escape) != expected {
            return .renderEachTime
        }
        return .planned(subject: plans[0], text: plans[1], html: plans[2])
    }

    /// Strict: a value a part looks up that `context` lacks is an error naming the file and line of the lookup.
    private func renderParts(_ name: String, context: [String: Any]) throws(TemplateError) -> (String, String, String) {
        guard templates[name] != nil else { throw TemplateError(file: directory + "/" + name, problem: "no such template") }
        for part in Self.partsNeeded {
            if let missing = DataCheck.missing(in: variableTrees[name + "/" + part] ?? [], data: context).first {
                throw TemplateError(file: missing.file, line: missing.line,
                                    problem: "{{\(missing.path)}} has no value in the data of a \(templates[name]!.kind) message")
            }
        }
        guard let subject = library.render(context, withTemplate: name + "/subject"),
              let text = library.render(context, withTemplate: name + "/text"),
              let html = library.render(context, withTemplate: name + "/html")
        else { throw TemplateError(file: directory + "/" + name, problem: "no such template") }
        return (subject, text, html)
    }

    private static func escape(_ value: String) -> String { HTMLEscaping().escapeText(value) }

    /// A subject is one line whatever the template's line breaks: each line trimmed of white space, empty lines
    /// dropped, the rest joined by one space.
    public static func oneLine(_ subject: String) -> String {
        // On scalars, not Characters: a line break is always a grapheme of its own (or CR LF, two breaks here
        // with nothing between), and white space is a scalar property, so this equals splitting on
        // `Character.isNewline` and trimming `CharacterSet.whitespaces`, at a tenth of the cost. Template files
        // end with a line break, so nearly every subject comes through here.
        let scalars = subject.unicodeScalars
        var result = ""
        var lineStart = scalars.startIndex
        while lineStart < scalars.endIndex {
            let lineEnd = scalars[lineStart...].firstIndex(where: isLineBreak) ?? scalars.endIndex
            let line = scalars[lineStart..<lineEnd]
            if let first = line.firstIndex(where: { !isWhiteSpace($0) }), let last = line.lastIndex(where: { !isWhiteSpace($0) }) {
                if !result.isEmpty { result += " " }
                result += Substring(scalars[first...last])
            }
            lineStart = lineEnd < scalars.endIndex ? scalars.index(after: lineEnd) : lineEnd
        }
        return result
    }

    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// `CharacterSet.whitespaces`: the tab, the space separators (Zs), and, as Foundation has it, U+200B.
    private static func isWhiteSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    static let registerContentTypes: Void = MustacheContentTypes.register(HTMLEscaping(), named: HTMLEscaping.name)
}
