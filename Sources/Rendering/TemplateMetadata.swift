import Foundation

/// `template.yaml`: `kind`, `description` and `variables` (the values the template's own files use, as a list:
/// `[a, b]` on the line, or `- a` lines under it), and `#` comments. Anything richer is refused with its line,
/// so a typo cannot pass silently.
struct TemplateMetadata {
    var kind: String
    var description: String?
    /// Each listed variable with its line; nil when the file lists none.
    var variables: [(name: String, line: Int)]?

    /// `kinds`: the kinds of mail the application sends (it owns their names).
    init(contentsOf file: URL, kinds: [String]) throws(TemplateError) {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw TemplateError(file: file.path, problem: "missing; it must name the template's kind")
        }
        var kind: String?
        var description: String?
        var variables: [(name: String, line: Int)]?
        var inList = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("- ") || line == "-" {
                guard inList else { throw TemplateError(file: file.path, line: index + 1, problem: "a list item outside 'variables:'") }
                let name = Self.unquoted(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
                guard !name.isEmpty else { throw TemplateError(file: file.path, line: index + 1, problem: "an empty variable name") }
                variables?.append((name, index + 1))
                continue
            }
            inList = false
            guard let colon = line.firstIndex(of: ":") else {
                throw TemplateError(file: file.path, line: index + 1, problem: "expected 'key: value'")
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = Self.unquoted(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            switch key {
            case "kind":
                guard kinds.contains(value) else {
                    throw TemplateError(file: file.path, line: index + 1, problem: "unknown kind '\(value)'; expected one of \(kinds.joined(separator: ", "))")
                }
                kind = value
            case "description":
                description = value
            case "variables":
                variables = []
                if value.isEmpty { inList = true; continue }
                guard value.hasPrefix("["), value.hasSuffix("]") else {
                    throw TemplateError(file: file.path, line: index + 1, problem: "variables: expected a list, [a, b] or '- a' lines below")
                }
                variables = value.dropFirst().dropLast().split(separator: ",")
                    .map { Self.unquoted($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }.map { ($0, index + 1) }
            default:
                throw TemplateError(file: file.path, line: index + 1, problem: "unknown key '\(key)'; expected kind, description or variables")
            }
        }
        guard let kind else { throw TemplateError(file: file.path, problem: "no 'kind' given") }
        self.kind = kind
        self.description = description
        self.variables = variables
    }

    private static func unquoted(_ text: String) -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        return text
    }
}
