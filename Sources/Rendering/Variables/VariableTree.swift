/// Where a template looks values up, as a tree: each variable, and each section with what is inside it, with
/// partials and layouts (parents) put in place, so that checking it against a message's data sees exactly
/// the lookups rendering would make.
indirect enum VariableNode: Equatable, Sendable {
    case value(path: String, file: String, line: Int)
    case section(path: String, inverted: Bool, file: String, line: Int, body: [VariableNode])

    var path: String {
        switch self {
        case .value(let path, _, _), .section(let path, _, _, _, _): path
        }
    }
}

/// One file's source as the catalog registered it.
struct TemplateSource {
    var file: String
    var text: String
}

enum VariableTree {
    /// A problem with the file's structure found while building (unbalanced sections, a missing partial).
    struct Problem: Error, Equatable {
        var file: String
        var line: Int?
        var text: String
    }

    /// The tree of the template registered as `name`. `sources` holds every registered file by name.
    static func build(_ name: String, sources: [String: TemplateSource]) throws(Problem) -> [VariableNode] {
        var visiting: Set<String> = []
        return try build(name, sources: sources, blocks: [:], visiting: &visiting)
    }

    private static func build(_ name: String, sources: [String: TemplateSource], blocks: [String: [VariableNode]],
                              visiting: inout Set<String>) throws(Problem) -> [VariableNode] {
        guard let source = sources[name] else { throw Problem(file: name, line: nil, text: "no template or partial named '\(name)'") }
        guard visiting.insert(name).inserted else {
            throw Problem(file: source.file, line: nil, text: "includes itself through '\(name)'")
        }
        defer { visiting.remove(name) }
        let scanned = MustacheTags(source.text)
        if scanned.changesDelimiters {
            throw Problem(file: source.file, line: nil, text: "changes the tag delimiters ({{= =}}), which Herald's variable checks cannot follow")
        }
        if let line = scanned.unterminated { throw Problem(file: source.file, line: line, text: "a tag opened with {{ is never closed") }
        var tags = scanned.tags[...]
        let nodes = try nodes(until: nil, in: &tags, source: source, sources: sources, blocks: blocks, visiting: &visiting)
        return nodes
    }

    /// Reads nodes until the `{{/closing}}` tag (or the end when `closing` is nil).
    private static func nodes(until closing: (name: String, line: Int)?, in tags: inout ArraySlice<MustacheTags.Tag>, source: TemplateSource,
                              sources: [String: TemplateSource], blocks: [String: [VariableNode]],
                              visiting: inout Set<String>) throws(Problem) -> [VariableNode] {
        var result: [VariableNode] = []
        while let tag = tags.popFirst() {
            switch tag.kind {
            case .variable, .unescapedVariable:
                if !tag.name.isEmpty { result.append(.value(path: tag.name, file: source.file, line: tag.line)) }
            case .section, .invertedSection:
                let body = try nodes(until: (tag.name, tag.line), in: &tags, source: source, sources: sources, blocks: blocks, visiting: &visiting)
                if tag.name.isEmpty { result += body; continue }
                result.append(.section(path: tag.name, inverted: tag.kind == .invertedSection, file: source.file, line: tag.line, body: body))
            case .close:
                guard let closing, closing.name == tag.name else {
                    let expected = closing.map { "{{/\($0.name)}} (opened on line \($0.line))" } ?? "nothing to close"
                    throw Problem(file: source.file, line: tag.line, text: "{{/\(tag.name)}} closes \(expected == "nothing to close" ? "nothing" : "the wrong section: expected \(expected)")")
                }
                return result
            case .partial where tag.name.hasPrefix("*"):
                // `{{>*name}}`: the partial is named by a value; which one cannot be known before rendering.
                result.append(.value(path: String(tag.name.dropFirst()), file: source.file, line: tag.line))
            case .partial:
                result += try build(tag.name, sources: sources, blocks: [:], visiting: &visiting)
            case .block:
                let content = try nodes(until: (tag.name, tag.line), in: &tags, source: source, sources: sources, blocks: blocks, visiting: &visiting)
                // A block shows what the including template gave for it, or its own default.
                result += blocks[tag.name] ?? content
            case .parent:
                // The enclosed blocks fill the parent's; anything else inside is ignored, as Mustache does.
                var given: [String: [VariableNode]] = [:]
                while let inner = tags.popFirst() {
                    if inner.kind == .close {
                        guard inner.name == tag.name else {
                            throw Problem(file: source.file, line: inner.line, text: "{{/\(inner.name)}} closes the wrong section: expected {{/\(tag.name)}} (opened on line \(tag.line))")
                        }
                        break
                    }
                    if inner.kind == .block {
                        given[inner.name] = try nodes(until: (inner.name, inner.line), in: &tags, source: source, sources: sources, blocks: blocks,
                                                      visiting: &visiting)
                    }
                }
                result += try build(tag.name, sources: sources, blocks: given.merging(blocks) { _, outer in outer }, visiting: &visiting)
            }
        }
        if let closing {
            throw Problem(file: source.file, line: closing.line, text: "{{#\(closing.name)}} is never closed")
        }
        return result
    }
}
