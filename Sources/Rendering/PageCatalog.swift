import Foundation
import Mustache

/// The web face's pages: `Templates/pages/*.mustache`, HTML with every value escaped, sharing partials by
/// name (`{{> header}}`), so a company restyles them as it does its mail. Parsed once at start-up; a page that
/// does not parse stops `herald serve` with its file.
public struct PageCatalog: Sendable {
    public static let folder = "pages"

    public let directory: String
    public let pages: Set<String>
    private let library: MustacheLibrary

    public init(templates: String) throws(TemplateError) {
        let root = URL(fileURLWithPath: templates, isDirectory: true).appendingPathComponent(Self.folder, isDirectory: true)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { $0.hasSuffix(".mustache") }.sorted()
        guard !files.isEmpty else { throw TemplateError(file: root.path, problem: "no pages (*.mustache) for the web face") }
        var library = MustacheLibrary()
        for file in files {
            let url = root.appendingPathComponent(file)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw TemplateError(file: url.path, problem: "cannot be read") }
            do { library.register(try MustacheTemplate(string: text), named: String(file.dropLast(".mustache".count))) } catch {
                throw TemplateError(file: url.path, problem: "\(error)")
            }
        }
        self.directory = root.path
        self.pages = Set(files.map { String($0.dropLast(".mustache".count)) })
        self.library = library
    }

    /// The files of the pages folder that `herald serve` loads: its pages and their partials, the stylesheet and
    /// the scripts. Without one of them it does not start, or a page answers with a bare status.
    public static let required: [String] = [
        "header", "footer", "message", "unsubscribe", "unsubscribed", "preferences", "register", "confirm", "policy", "policy-choice",
        "console-header", "console-footer", "console-message", "console-sign-in", "console-password", "console-dashboard",
        "console-campaign-new", "console-campaign-edit", "console-workspace", "console-campaign-report", "console-problems", "console-templates",
        "console-template-preview", "console-reports", "console-people", "console-staff", "console-audit", "console-policy",
    ].map { $0 + ".mustache" } + ["herald.css", "register.js", "console.js", "campaign-editor.js"]

    /// The paths of the `required` files missing from the pages folder of `templates`.
    public static func missing(templates: String) -> [String] {
        let root = URL(fileURLWithPath: templates, isDirectory: true).appendingPathComponent(folder, isDirectory: true)
        return required.map { root.appendingPathComponent($0).path }.filter { !FileManager.default.fileExists(atPath: $0) }
    }

    /// The page with `context` (dictionaries, arrays, strings, booleans); nil for a page that does not exist.
    public func render(_ name: String, context: [String: Any]) -> String? {
        library.render(context, withTemplate: name)
    }
}
