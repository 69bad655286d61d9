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

    public init(directory: String) throws(TemplateError) {
        Self.registerContentTypes
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TemplateError(file: directory, problem: "the template folder does not exist")
        }
        var library = MustacheLibrary()
        var templates: [String: MessageTemplate] = [:]
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for folder in folders.sorted() where !folder.hasPrefix(".") {
            let folderURL = root.appendingPathComponent(folder, isDirectory: true)
            guard FileManager.default.fileExists(atPath: folderURL.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folderURL.path)) ?? []).filter { $0.hasSuffix(".mustache") }
            for file in files.sorted() {
                let name = folder + "/" + String(file.dropLast(".mustache".count))
                try Self.register(file: folderURL.appendingPathComponent(file), as: name, in: &library)
            }
            if folder == "partials" { continue }
            let metadataFile = folderURL.appendingPathComponent("template.yaml")
            let metadata = try TemplateMetadata(contentsOf: metadataFile)
            for part in Self.partsNeeded where !files.contains(part + ".mustache") {
                throw TemplateError(file: folderURL.appendingPathComponent(part + ".mustache").path, problem: "missing; a template needs subject, text and html parts")
            }
            templates[folder] = MessageTemplate(name: folder, kind: metadata.kind, description: metadata.description)
        }
        self.directory = directory
        self.templates = templates
        self.library = library
    }

    public func template(named name: String) -> MessageTemplate? { templates[name] }

    public var templateNames: [String] { templates.keys.sorted() }

    /// Renders the three parts. `context` is a tree of dictionaries, arrays, strings, numbers and booleans.
    public func render(_ name: String, context: [String: Any]) throws(TemplateError) -> RenderedMessage {
        guard templates[name] != nil,
              let subject = library.render(context, withTemplate: name + "/subject"),
              let text = library.render(context, withTemplate: name + "/text"),
              let html = library.render(context, withTemplate: name + "/html")
        else { throw TemplateError(file: directory + "/" + name, problem: "no such template") }
        let oneLineSubject = subject.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        return RenderedMessage(subject: oneLineSubject, text: text, html: html)
    }

    private static let registerContentTypes: Void = MustacheContentTypes.register(HTMLEscaping(), named: HTMLEscaping.name)

    private static func register(file: URL, as name: String, in library: inout MustacheLibrary) throws(TemplateError) {
        guard let source = try? String(contentsOf: file, encoding: .utf8) else {
            throw TemplateError(file: file.path, problem: "cannot be read as UTF-8 text")
        }
        let isText = name.hasSuffix("/subject") || name.hasSuffix("/text") || name.hasSuffix(".text")
        // The pragma goes on the template's first line without a line break of its own, so it adds no blank line.
        let prepared = (isText ? "{{% CONTENT_TYPE: TEXT}}" : "{{% CONTENT_TYPE: \(HTMLEscaping.name)}}") + source
        do {
            library.register(try MustacheTemplate(string: prepared), named: name)
        } catch let error as MustacheTemplate.ParserError {
            throw TemplateError(file: file.path, line: error.context.lineNumber, problem: "\(error.error)")
        } catch {
            throw TemplateError(file: file.path, problem: "\(error)")
        }
    }
}
