import Foundation
import CCmarkGFM
import Synchronization

/// A campaign body in Markdown, through the system cmark-gfm (GitHub's fork of the CommonMark reference
/// implementation): CommonMark plus GitHub's tables, strikethrough and autolinks. cmark-gfm's safe mode leaves raw
/// HTML out and drops `javascript:` and other dangerous link targets, so Markdown written in the console cannot
/// put script or markup of its own into a message.
struct MarkdownDocument {
    let html: String
    let text: String

    static let extensions = ["table", "strikethrough", "autolink", "tagfilter"]

    /// cmark-gfm keeps global state: its list of extensions (registered once, with a check-then-set that two
    /// first callers can race) and the table of special characters each parse adds its extensions' to. One
    /// conversion at a time, then: it happens once per campaign (and per preview), so waiting costs nothing.
    private static let serialized = Mutex<Void>(())
    private static let registered: Void = cmark_gfm_core_extensions_ensure_registered()

    init(_ source: String) {
        (html, text) = Self.serialized.withLock { _ in
            Self.registered
            return Self.convert(source)
        }
    }

    private static func convert(_ source: String) -> (String, String) {
        let parser = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)!
        defer { cmark_parser_free(parser) }
        for name in Self.extensions {
            if let found = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, found) }
        }
        source.utf8CString.withUnsafeBufferPointer { buffer in
            cmark_parser_feed(parser, buffer.baseAddress, buffer.count - 1)
        }
        let document = cmark_parser_finish(parser)!
        defer { cmark_node_free(document) }
        let rendered = cmark_render_html(document, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser))!
        let html = String(cString: rendered)
        free(rendered)
        var writer = PlainTextWriter()
        writer.blocks(of: document, indent: "")
        return (html, writer.finished())
    }
}

/// Markdown's tree as readable plain text: paragraphs and headings as lines, lists with their bullets and
/// numbers, quotes with `>`, code indented, and each link's address listed at the end under its number, so the
/// text part says everything the HTML part does.
private struct PlainTextWriter {
    var output = ""
    var links: [String] = []

    mutating func finished() -> String {
        var text = output.trimmingTrailingSpace
        if !links.isEmpty {
            text += "\n\nLinks:\n" + links.enumerated().map { "[\($0.offset + 1)] \($0.element)" }.joined(separator: "\n")
        }
        return text + "\n"
    }

    static func type(_ node: OpaquePointer) -> String { String(cString: cmark_node_get_type_string(node)) }
    static func literal(_ node: OpaquePointer) -> String { cmark_node_get_literal(node).map { String(cString: $0) } ?? "" }
    static func children(_ node: OpaquePointer) -> [OpaquePointer] {
        var found: [OpaquePointer] = []
        var child = cmark_node_first_child(node)
        while let current = child {
            found.append(current)
            child = cmark_node_next(current)
        }
        return found
    }

    /// Each block of `node` separated by a blank line, every line after the first prefixed with `indent`.
    mutating func blocks(of node: OpaquePointer, indent: String) {
        for (index, child) in Self.children(node).enumerated() {
            if index > 0 { output += "\n\n" + indent }
            block(child, indent: indent)
        }
    }

    mutating func block(_ node: OpaquePointer, indent: String) {
        switch Self.type(node) {
        case "paragraph":
            output += inline(node).replacingOccurrences(of: "\n", with: "\n" + indent)
        case "heading":
            let title = inline(node)
            let rule = cmark_node_get_heading_level(node) == 1 ? "=" : "-"
            output += title + "\n" + indent + String(repeating: rule, count: max(3, title.count))
        case "list":
            let ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST
            var number = Int(cmark_node_get_list_start(node))
            let tight = cmark_node_get_list_tight(node) != 0
            for (index, item) in Self.children(node).enumerated() {
                if index > 0 { output += (tight ? "\n" : "\n\n") + indent }
                let marker = ordered ? "\(number). " : "- "
                number += 1
                output += marker
                blocks(of: item, indent: indent + String(repeating: " ", count: marker.count))
            }
        case "block_quote":
            output += "> "
            blocks(of: node, indent: indent + "> ")
        case "code_block":
            let lines = Self.literal(node).trimmingTrailingSpace.split(separator: "\n", omittingEmptySubsequences: false)
            output += lines.map { "    " + $0 }.joined(separator: "\n" + indent)
        case "thematic_break":
            output += "----"
        case "table":
            let rows = Self.children(node).map { row in Self.children(row).map { inline($0) }.joined(separator: " | ") }
            output += rows.joined(separator: "\n" + indent)
        case "html_block":
            break
        default:
            output += inline(node)
        }
    }

    /// The text of a block's inline content.
    mutating func inline(_ node: OpaquePointer) -> String {
        var text = ""
        for child in Self.children(node) {
            switch Self.type(child) {
            case "text", "code":
                text += Self.literal(child)
            case "softbreak", "linebreak":
                text += "\n"
            case "link":
                let label = inline(child)
                let url = cmark_node_get_url(child).map { String(cString: $0) } ?? ""
                if url.isEmpty || label == url || "mailto:" + label == url {
                    text += label
                } else {
                    links.append(url)
                    text += label + " [\(links.count)]"
                }
            case "image":
                let alt = inline(child)
                text += alt.isEmpty ? "" : "[" + alt + "]"
            case "html_inline":
                break
            default:
                text += inline(child)
            }
        }
        return text
    }
}

extension String {
    var trimmingTrailingSpace: String {
        var scalars = Substring(self)
        while let last = scalars.last, last == " " || last == "\n" || last == "\t" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
