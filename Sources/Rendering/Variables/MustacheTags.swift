/// The tags of one Mustache file, with their lines: what the strictness and lint checks read, since
/// swift-mustache keeps its parsed tokens to itself. Only the default `{{ }}` delimiters are understood; a file
/// that changes them is reported (`changesDelimiters`) rather than misread.
struct MustacheTags {
    enum Kind: Equatable {
        /// `{{name}}`
        case variable
        /// `{{{name}}}`, `{{&name}}`: not escaped even in HTML
        case unescapedVariable
        /// `{{#name}}`
        case section
        /// `{{^name}}`
        case invertedSection
        /// `{{/name}}`
        case close
        /// `{{>name}}`
        case partial
        /// `{{<name}}`: a parent (layout) whose blocks the enclosed `{{$block}}`s fill
        case parent
        /// `{{$name}}`
        case block
    }

    struct Tag: Equatable {
        var kind: Kind
        /// The variable path (`recipient.first_name`), the partial's or the parent's name; for a transform such
        /// as `{{uppercased(name)}}`, the name inside.
        var name: String
        var line: Int
        /// The value goes through a transform (`func(name)`).
        var transformed = false
        /// As written, transform included: what the closing tag of a section must repeat.
        var closingName: String
    }

    var tags: [Tag] = []
    var changesDelimiters = false
    /// An unclosed `{{`, with its line.
    var unterminated: Int?

    init(_ source: String) {
        let bytes = Array(source.utf8)
        var index = 0
        var line = 1
        while index < bytes.count {
            if bytes[index] == 0x0A { line += 1; index += 1; continue }
            guard bytes[index] == UInt8(ascii: "{"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{") else { index += 1; continue }
            let tagLine = line
            let triple = index + 2 < bytes.count && bytes[index + 2] == UInt8(ascii: "{")
            let start = index + (triple ? 3 : 2)
            guard let end = Self.find(triple ? "}}}" : "}}", in: bytes, from: start) else {
                unterminated = tagLine
                return
            }
            for byte in bytes[start..<end] where byte == 0x0A { line += 1 }
            index = end + (triple ? 3 : 2)
            var body = String(decoding: bytes[start..<end], as: UTF8.self).trimmingWhitespace
            if triple { add(.unescapedVariable, body, tagLine); continue }
            guard let sigil = body.first else { continue }
            switch sigil {
            case "!", "%": continue
            case "=": changesDelimiters = true; return
            case "&", "#", "^", "/", ">", "<", "$":
                body = String(body.dropFirst()).trimmingWhitespace
                let kind: Kind = switch sigil {
                case "&": .unescapedVariable
                case "#": .section
                case "^": .invertedSection
                case "/": .close
                case ">": .partial
                case "<": .parent
                default: .block
                }
                add(kind, body, tagLine)
            default:
                add(.variable, body, tagLine)
            }
        }
    }

    private mutating func add(_ kind: Kind, _ body: String, _ line: Int) {
        var name = body
        var transformed = false
        // A transform, `func(name)`: the value looked up is the name inside.
        if kind != .partial, kind != .parent, let open = name.firstIndex(of: "("), name.hasSuffix(")") {
            name = String(name[name.index(after: open)..<name.index(before: name.endIndex)]).trimmingWhitespace
            transformed = true
        }
        tags.append(Tag(kind: kind, name: name, line: line, transformed: transformed, closingName: body))
    }

    private static func find(_ needle: String, in bytes: [UInt8], from start: Int) -> Int? {
        let pattern = Array(needle.utf8)
        var index = start
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0], Array(bytes[index..<index + pattern.count]) == pattern { return index }
            index += 1
        }
        return nil
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" || first == "\r" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
