/// Where a template looks values up, as a tree: each variable, and each section with what is inside it, with
/// partials and layouts (parents) put in place, so that checking it against a message's data sees exactly
/// the lookups rendering would make.
indirect enum VariableNode: Equatable, Sendable {
    case value(path: String, file: String, line: Int)
    /// `transformed`: the section's value goes through a transform (`{{#reversed(products)}}`), so what it
    /// renders cannot be told from the value itself.
    case section(path: String, inverted: Bool, transformed: Bool, file: String, line: Int, body: [VariableNode])

    var path: String {
        switch self {
        case .value(let path, _, _), .section(let path, _, _, _, _, _): path
        }
    }
}

extension Array where Element == VariableNode {
    /// Every lookup in the tree, sections' own included, in order.
    var lookups: [(path: String, file: String, line: Int)] {
        var found: [(path: String, file: String, line: Int)] = []
        func collect(_ nodes: [VariableNode]) {
            for node in nodes {
                switch node {
                case .value(let path, let file, let line): found.append((path, file, line))
                case .section(let path, _, _, let file, let line, let body):
                    found.append((path, file, line))
                    collect(body)
                }
            }
        }
        collect(self)
        return found
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
        var builder = Builder(sources: sources, text: TemplateFolder.isText(name))
        return try builder.build(name, blocks: [:])
    }

    /// `text`: whether the part being built is a subject or text part. Each file is escaped as its own name
    /// says (swift-mustache applies a partial's own content type), so an HTML part that includes a `.text`
    /// partial would send its values unescaped, and a text part that includes an HTML partial or a layout
    /// would send `&amp;` to a plain-text reader: both are problems.
    private struct Builder {
        let sources: [String: TemplateSource]
        let text: Bool
        var visiting: Set<String> = []

        init(sources: [String: TemplateSource], text: Bool) {
            self.sources = sources
            self.text = text
        }

        mutating func build(_ name: String, blocks: [String: [VariableNode]]) throws(Problem) -> [VariableNode] {
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
            return try nodes(until: nil, in: &tags, source: source, blocks: blocks)
        }

        /// Reads nodes until the tag that closes `closing` (or the end when `closing` is nil).
        private mutating func nodes(until closing: MustacheTags.Tag?, in tags: inout ArraySlice<MustacheTags.Tag>, source: TemplateSource,
                                    blocks: [String: [VariableNode]]) throws(Problem) -> [VariableNode] {
            var result: [VariableNode] = []
            while let tag = tags.popFirst() {
                switch tag.kind {
                case .variable, .unescapedVariable:
                    if !tag.name.isEmpty { result.append(.value(path: tag.name, file: source.file, line: tag.line)) }
                case .section, .invertedSection:
                    let body = try nodes(until: tag, in: &tags, source: source, blocks: blocks)
                    // `{{#first()}}`: the position in a list, not a value.
                    if tag.name.isEmpty { result += body; continue }
                    result.append(.section(path: tag.name, inverted: tag.kind == .invertedSection, transformed: tag.transformed,
                                           file: source.file, line: tag.line, body: body))
                case .close:
                    guard let closing, closing.closingName == tag.closingName else {
                        let expected = closing.map { "the wrong section: expected {{/\($0.closingName)}} (opened on line \($0.line))" } ?? "nothing"
                        throw Problem(file: source.file, line: tag.line, text: "{{/\(tag.closingName)}} closes \(expected)")
                    }
                    return result
                case .partial where tag.name.hasPrefix("*"):
                    // `{{>*name}}`: the partial is named by a value; which one cannot be known before rendering.
                    result.append(.value(path: String(tag.name.dropFirst()), file: source.file, line: tag.line))
                case .partial:
                    guard sources[tag.name] != nil else {
                        throw Problem(file: source.file, line: tag.line, text: "{{> \(tag.name)}}: no partial of that name (partials are named folder/file, as partials/footer)")
                    }
                    if TemplateFolder.isText(tag.name) != text {
                        throw Problem(file: source.file, line: tag.line, text: text
                            ? "a subject or text part includes {{> \(tag.name)}}, an HTML partial, whose values would be HTML-escaped; use a .text partial"
                            : "an HTML part includes {{> \(tag.name)}}, a text partial, whose values would not be escaped; use an HTML partial")
                    }
                    result += try build(tag.name, blocks: [:])
                case .block:
                    let content = try nodes(until: tag, in: &tags, source: source, blocks: blocks)
                    // A block shows what the including template gave for it, or its own default.
                    result += blocks[tag.name] ?? content
                case .parent where tag.name.hasPrefix("*"):
                    // `{{<*name}}`: a layout named by a value; which one cannot be known before rendering.
                    result.append(.value(path: String(tag.name.dropFirst()), file: source.file, line: tag.line))
                    try skip(past: tag, in: &tags, source: source)
                case .parent:
                    if text {
                        throw Problem(file: source.file, line: tag.line, text: "a subject or text part uses the layout {{<\(tag.name)}}; layouts are HTML")
                    }
                    guard sources[tag.name] != nil else {
                        throw Problem(file: source.file, line: tag.line, text: "{{<\(tag.name)}}: no layout of that name (a layout in layouts/ goes by its file name)")
                    }
                    let given = try filledBlocks(of: tag, in: &tags, source: source, blocks: blocks)
                    // The outermost template's blocks win, as in Mustache's inheritance.
                    result += try build(tag.name, blocks: given.merging(blocks) { _, outer in outer })
                }
            }
            if let closing {
                throw Problem(file: source.file, line: closing.line, text: "{{#\(closing.closingName)}} is never closed")
            }
            return result
        }

        /// The `{{$block}}`s directly inside a `{{<parent}}`; anything else there is ignored, as Mustache does.
        private mutating func filledBlocks(of parent: MustacheTags.Tag, in tags: inout ArraySlice<MustacheTags.Tag>, source: TemplateSource,
                                           blocks: [String: [VariableNode]]) throws(Problem) -> [String: [VariableNode]] {
            var given: [String: [VariableNode]] = [:]
            while let inner = tags.popFirst() {
                switch inner.kind {
                case .block:
                    given[inner.name] = try nodes(until: inner, in: &tags, source: source, blocks: blocks)
                case .section, .invertedSection, .parent:
                    try skip(past: inner, in: &tags, source: source)
                case .close:
                    guard inner.closingName == parent.closingName else {
                        throw Problem(file: source.file, line: inner.line,
                                      text: "{{/\(inner.closingName)}} closes the wrong section: expected {{/\(parent.closingName)}} (opened on line \(parent.line))")
                    }
                    return given
                default:
                    continue
                }
            }
            throw Problem(file: source.file, line: parent.line, text: "{{<\(parent.closingName)}} is never closed")
        }

        /// Passes over everything up to the tag that closes `open`.
        private func skip(past open: MustacheTags.Tag, in tags: inout ArraySlice<MustacheTags.Tag>, source: TemplateSource) throws(Problem) {
            var depth = 0
            while let inner = tags.popFirst() {
                switch inner.kind {
                case .section, .invertedSection, .parent, .block: depth += 1
                case .close where depth > 0: depth -= 1
                case .close: return
                default: break
                }
            }
            throw Problem(file: source.file, line: open.line, text: "{{#\(open.closingName)}} is never closed")
        }
    }
}
