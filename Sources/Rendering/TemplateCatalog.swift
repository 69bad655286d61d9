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
    private let library: MustacheLibrary
    let plans = RenderPlans()
    /// False when some file uses what the placeholder check cannot see through: a partial or parent named by a
    /// value (`{{>*name}}`), changed delimiters, or its own content-type pragma (another escaper than the one
    /// plans fill in with). Such a catalog renders every message in full.
    let plannable: Bool

    /// `kinds`: the names a `template.yaml` may give as its kind (the application's kinds of mail).
    public init(directory: String, kinds: [String]) throws(TemplateError) {
        Self.registerContentTypes
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TemplateError(file: directory, problem: "the template folder does not exist")
        }
        var library = MustacheLibrary()
        var templates: [String: MessageTemplate] = [:]
        var plannable = true
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for folder in folders.sorted() where !folder.hasPrefix(".") {
            let folderURL = root.appendingPathComponent(folder, isDirectory: true)
            guard FileManager.default.fileExists(atPath: folderURL.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            // The web face's pages (`PageCatalog`) are not mail.
            if folder == PageCatalog.folder { continue }
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folderURL.path)) ?? []).filter { $0.hasSuffix(".mustache") }
            for file in files.sorted() {
                let name = folder + "/" + String(file.dropLast(".mustache".count))
                plannable = try Self.register(file: folderURL.appendingPathComponent(file), as: name, in: &library) && plannable
            }
            if folder == "partials" { continue }
            let metadataFile = folderURL.appendingPathComponent("template.yaml")
            let metadata = try TemplateMetadata(contentsOf: metadataFile, kinds: kinds)
            for part in Self.partsNeeded where !files.contains(part + ".mustache") {
                throw TemplateError(file: folderURL.appendingPathComponent(part + ".mustache").path, problem: "missing; a template needs subject, text and html parts")
            }
            templates[folder] = MessageTemplate(name: folder, kind: metadata.kind, description: metadata.description)
        }
        self.directory = directory
        self.templates = templates
        self.library = library
        self.plannable = plannable
    }

    public func template(named name: String) -> MessageTemplate? { templates[name] }

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

    private func renderParts(_ name: String, context: [String: Any]) throws(TemplateError) -> (String, String, String) {
        guard templates[name] != nil,
              let subject = library.render(context, withTemplate: name + "/subject"),
              let text = library.render(context, withTemplate: name + "/text"),
              let html = library.render(context, withTemplate: name + "/html")
        else { throw TemplateError(file: directory + "/" + name, problem: "no such template") }
        return (subject, text, html)
    }

    private static func escape(_ value: String) -> String { HTMLEscaping().escapeText(value) }

    /// A subject is one line whatever the template's line breaks: each line trimmed of white space, empty lines
    /// dropped, the rest joined by one space.
    static func oneLine(_ subject: String) -> String {
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

    /// `{{>*name}}`, `{{<*name}}`, `{{$*name}}`: a partial, parent or block whose name is a value.
    private nonisolated(unsafe) static let dynamicName = try! Regex(#"\{\{\s*[>$<]\s*\*"#)

    private static let registerContentTypes: Void = MustacheContentTypes.register(HTMLEscaping(), named: HTMLEscaping.name)

    /// Registers one file; returns whether render plans can be trusted with it (see `plannable`).
    private static func register(file: URL, as name: String, in library: inout MustacheLibrary) throws(TemplateError) -> Bool {
        guard let source = try? String(contentsOf: file, encoding: .utf8) else {
            throw TemplateError(file: file.path, problem: "cannot be read as UTF-8 text")
        }
        let plannable = !source.contains("{{=") && !source.contains("{{%") && source.firstMatch(of: dynamicName) == nil
        let isText = name.hasSuffix("/subject") || name.hasSuffix("/text") || name.hasSuffix(".text")
        // The pragma goes on the template's first line without a line break of its own, so it adds no blank line.
        let prepared = (isText ? "{{% CONTENT_TYPE: TEXT}}" : "{{% CONTENT_TYPE: \(HTMLEscaping.name)}}") + source
        do {
            library.register(try MustacheTemplate(string: prepared), named: name)
            return plannable
        } catch let error as MustacheTemplate.ParserError {
            throw TemplateError(file: file.path, line: error.context.lineNumber, problem: "\(error.error)")
        } catch {
            throw TemplateError(file: file.path, problem: "\(error)")
        }
    }
}
