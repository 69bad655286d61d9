import Foundation

/// `template.yaml`: flat `key: value` lines (`kind`, `description`) and `#` comments. Anything richer is
/// refused with its line, so a typo cannot pass silently.
struct TemplateMetadata {
    var kind: String
    var description: String?

    /// `kinds`: the kinds of mail the application sends (it owns their names).
    init(contentsOf file: URL, kinds: [String]) throws(TemplateError) {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw TemplateError(file: file.path, problem: "missing; it must name the template's kind")
        }
        var kind: String?
        var description: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw TemplateError(file: file.path, line: index + 1, problem: "expected 'key: value'")
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            switch key {
            case "kind":
                guard kinds.contains(value) else {
                    throw TemplateError(file: file.path, line: index + 1, problem: "unknown kind '\(value)'; expected one of \(kinds.joined(separator: ", "))")
                }
                kind = value
            case "description":
                description = value
            default:
                throw TemplateError(file: file.path, line: index + 1, problem: "unknown key '\(key)'; expected kind or description")
            }
        }
        guard let kind else { throw TemplateError(file: file.path, problem: "no 'kind' given") }
        self.kind = kind
        self.description = description
    }
}
