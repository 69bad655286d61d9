import Foundation
import Mustache

/// What is in a templates folder, read once and kept with every problem found, so that loading the catalog can
/// stop at the first problem and `herald templates check` can report them all.
///
/// Layout: `<name>/` a template (`subject`, `text`, `html` and `template.yaml`); `partials/` and `layouts/`
/// shared pieces, included as `{{> partials/footer}}` and `{{<email}}…{{/email}}`; `pages/` the web face's
/// pages (`PageCatalog`), not mail. A layout goes by its file name alone, since swift-mustache cannot close
/// a parent whose name has a `/` in it.
struct TemplateFolder {
    static let sharedFolders: Set<String> = ["partials", "layouts"]

    struct File {
        /// As partials name it: `product-news/html`, `partials/footer`.
        var name: String
        var path: String
        var text: String
        /// nil when it does not parse (the problem is in `problems`).
        var parsed: MustacheTemplate?
        /// False when the placeholder plans cannot see through it (see `TemplateCatalog.plannable`).
        var plannable: Bool
    }

    struct Folder {
        var name: String
        var path: String
        /// nil when `template.yaml` has a problem.
        var metadata: TemplateMetadata?
        var missingParts: [String]
    }

    var files: [String: File] = [:]
    var templates: [Folder] = []
    var problems: [TemplateError] = []

    init(directory: String, kinds: [String]) {
        TemplateCatalog.registerContentTypes
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            problems.append(TemplateError(file: directory, problem: "the template folder does not exist"))
            return
        }
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for folder in folders.sorted() where !folder.hasPrefix(".") && folder != PageCatalog.folder {
            let folderURL = root.appendingPathComponent(folder, isDirectory: true)
            guard FileManager.default.fileExists(atPath: folderURL.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folderURL.path)) ?? []).filter { $0.hasSuffix(".mustache") }
            for file in names.sorted() {
                let base = String(file.dropLast(".mustache".count))
                read(folderURL.appendingPathComponent(file), as: folder == "layouts" ? base : folder + "/" + base)
            }
            if Self.sharedFolders.contains(folder) { continue }
            var metadata: TemplateMetadata?
            do { metadata = try TemplateMetadata(contentsOf: folderURL.appendingPathComponent("template.yaml"), kinds: kinds) } catch {
                problems.append(error)
            }
            let missing = TemplateCatalog.partsNeeded.filter { !names.contains($0 + ".mustache") }
            for part in missing {
                problems.append(TemplateError(file: folderURL.appendingPathComponent(part + ".mustache").path,
                                              problem: "missing; a template needs subject, text and html parts"))
            }
            templates.append(Folder(name: folder, path: folderURL.path, metadata: metadata, missingParts: missing))
        }
    }

    /// Subjects, text bodies and partials whose name ends in `.text` render without HTML escaping.
    static func isText(_ name: String) -> Bool {
        name.hasSuffix("/subject") || name.hasSuffix("/text") || name.hasSuffix(".text")
    }

    /// `{{>*name}}`, `{{<*name}}`, `{{$*name}}`: a partial, parent or block whose name is a value.
    private nonisolated(unsafe) static let dynamicName = try! Regex(#"\{\{\s*[>$<]\s*\*"#)

    private mutating func read(_ url: URL, as name: String) {
        guard let source = try? String(contentsOf: url, encoding: .utf8) else {
            problems.append(TemplateError(file: url.path, problem: "cannot be read as UTF-8 text"))
            return
        }
        let plannable = !source.contains("{{=") && !source.contains("{{%") && source.firstMatch(of: Self.dynamicName) == nil
        var parsed: MustacheTemplate?
        do { parsed = try Self.parse(source, as: name) } catch let error as MustacheTemplate.ParserError {
            problems.append(Self.explained(error, source: source, file: url.path))
        } catch {
            problems.append(TemplateError(file: url.path, problem: "\(error)"))
        }
        files[name] = File(name: name, path: url.path, text: source, parsed: parsed, plannable: plannable)
    }

    /// A file's template, escaping as its name says.
    static func parse(_ source: String, as name: String) throws -> MustacheTemplate {
        // The pragma goes on the template's first line without a line break of its own, so it adds no blank line.
        let prepared = (isText(name) ? "{{% CONTENT_TYPE: TEXT}}" : "{{% CONTENT_TYPE: \(HTMLEscaping.name)}}") + source
        return try MustacheTemplate(string: prepared)
    }

    /// The parser's error, in words, and for a section never closed the line that opened it (the parser only
    /// knows that the file ended).
    static func explained(_ error: MustacheTemplate.ParserError, source: String, file: String) -> TemplateError {
        if case .expectedSectionEnd = error.error as? MustacheTemplate.Error {
            var open: [MustacheTags.Tag] = []
            for tag in MustacheTags(source).tags {
                switch tag.kind {
                case .section, .invertedSection, .parent, .block: open.append(tag)
                case .close: if open.last?.closingName == tag.closingName { open.removeLast() }
                default: break
                }
            }
            if let unclosed = open.last {
                return TemplateError(file: file, line: unclosed.line,
                                     problem: "{{#\(unclosed.closingName)}} is never closed (expected {{/\(unclosed.closingName)}})")
            }
        }
        return TemplateError(file: file, line: error.context.lineNumber, problem: "\(error.error)")
    }

    var sources: [String: TemplateSource] { files.mapValues { TemplateSource(file: $0.path, text: $0.text) } }
}
