import Foundation

extension TemplateCatalog {
    /// Every problem of a templates folder, each as `file:line: problem`, sorted by file and line: files that do
    /// not parse or cannot be read, `template.yaml` mistakes and missing parts, sections that do not close,
    /// partials and layouts that do not exist, values an HTML file does not escape, and lookups no message of the
    /// template's kind has data for.
    ///
    /// `samples` gives, for a kind, the data of messages of that kind in each shape the application sends
    /// (with and without a name, no product or several…): a lookup none of them answers is an unknown variable.
    /// A template's `template.yaml` must list under `variables` what its own files use, and nothing else.
    public static func lint(directory: String, kinds: [String], samples: (String) -> [[String: Any]]) -> [TemplateError] {
        let folder = TemplateFolder(directory: directory, kinds: kinds)
        var problems = folder.problems
        for file in folder.files.values where !TemplateFolder.isText(file.name) {
            for tag in MustacheTags(file.text).tags where tag.kind == .unescapedVariable && !MessageWords.slotNames.contains(tag.name) {
                problems.append(TemplateError(file: file.path, line: tag.line,
                                              problem: "{{{\(tag.name)}}} is not escaped; an HTML part must escape every value ({{\(tag.name)}})"))
            }
        }
        let sources = folder.sources
        for template in folder.templates where template.missingParts.isEmpty {
            // A file that does not parse has its problem reported already; its lookups cannot be trusted.
            guard let metadata = template.metadata,
                  partsNeeded.allSatisfy({ folder.files[template.name + "/" + $0]?.parsed != nil }) else { continue }
            let data = samples(metadata.kind)
            var trees: [[VariableNode]] = []
            for part in partsNeeded {
                do { trees.append(try VariableTree.build(template.name + "/" + part, sources: sources)) } catch {
                    problems.append(TemplateError(file: error.file, line: error.line, problem: error.text))
                }
            }
            guard trees.count == partsNeeded.count else { continue }
            var unknown: Set<String> = []
            for tree in trees {
                var seen: Set<DataCheck.Missing> = []
                for sample in data {
                    for missing in DataCheck.missing(in: tree, data: sample) where seen.insert(missing).inserted {
                        unknown.insert(missing.path)
                        problems.append(TemplateError(file: missing.file, line: missing.line,
                                                      problem: "unknown variable {{\(missing.path)}}: a \(metadata.kind) message has no such value"))
                    }
                }
            }
            problems += declarationProblems(template, metadata: metadata, trees: trees, roots: Set(data.flatMap(\.keys)), unknown: unknown)
        }
        return problems.sorted { ($0.file, $0.line ?? 0, $0.problem) < ($1.file, $1.line ?? 0, $1.problem) }
    }

    /// `variables` in `template.yaml` against what the template's own files look up (a lookup of a list item's
    /// field, inside its section, needs no listing; an unknown variable is reported once, as unknown).
    private static func declarationProblems(_ template: TemplateFolder.Folder, metadata: TemplateMetadata, trees: [[VariableNode]],
                                            roots: Set<String>, unknown: Set<String>) -> [TemplateError] {
        let metadataFile = template.path + "/template.yaml"
        guard let declared = metadata.variables else {
            return [TemplateError(file: metadataFile, problem: "lists no variables; name the values the template uses under 'variables'")]
        }
        let names = Set(declared.map(\.name))
        func covered(_ path: String) -> Bool {
            var prefix = ""
            for component in path.split(separator: ".") {
                prefix = prefix.isEmpty ? String(component) : prefix + "." + component
                if names.contains(prefix) { return true }
            }
            return false
        }
        var problems: [TemplateError] = []
        let used = trees.flatMap(\.lookups)
        var reported: Set<String> = []
        for use in used where use.file.hasPrefix(template.path + "/") && use.path != "." {
            let root = String(use.path.split(separator: ".").first ?? "")
            // An unknown variable is reported as such already.
            guard roots.contains(root), !unknown.contains(use.path), !covered(use.path), reported.insert(use.path).inserted else { continue }
            problems.append(TemplateError(file: use.file, line: use.line, problem: "uses {{\(use.path)}}, which template.yaml does not list under variables"))
        }
        for (name, line) in declared {
            let root = String(name.split(separator: ".").first ?? "")
            if !roots.contains(root) {
                problems.append(TemplateError(file: metadataFile, line: line, problem: "lists '\(name)', which is not a value of a \(metadata.kind) message"))
            } else if !used.contains(where: { $0.path == name || $0.path.hasPrefix(name + ".") }) {
                problems.append(TemplateError(file: metadataFile, line: line, problem: "lists '\(name)', which the template does not use"))
            }
        }
        return problems
    }
}
