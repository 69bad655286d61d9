/// Strict rendering: every value a template looks up must be in the message's data. Mustache itself renders a
/// missing value as nothing, so a misspelt `{{recipient.frist_name}}` would send "Hello ," to everyone; this
/// walks the template's lookups (`VariableTree`) over the data the way rendering climbs its context stack.
///
/// A section's body is checked for each item of a list, once for a dictionary or a true value, and not at all
/// when the section would not render with this data (a false value, an empty list): those lookups are checked
/// by the data that renders them. A section whose value goes through a transform is checked as if it rendered.
enum DataCheck {
    struct Missing: Equatable, Hashable {
        var path: String
        var file: String
        var line: Int
    }

    static func missing(in nodes: [VariableNode], data: [String: Any]) -> [Missing] {
        var found: [Missing] = []
        walk(nodes, stack: [data], into: &found)
        var seen: Set<Missing> = []
        return found.filter { seen.insert($0).inserted }
    }

    private static func walk(_ nodes: [VariableNode], stack: [Any], into found: inout [Missing]) {
        for node in nodes {
            switch node {
            case .value(let path, let file, let line):
                if case .missing = lookUp(path, in: stack) { found.append(Missing(path: path, file: file, line: line)) }
            case .section(let path, let inverted, let transformed, let file, let line, let body):
                guard case .found(let value) = lookUp(path, in: stack) else {
                    found.append(Missing(path: path, file: file, line: line))
                    continue
                }
                if transformed {
                    // What a transform makes of the value (`empty`, `reversed`, `first`…) is not known here: the body
                    // is checked as if it rendered, with each item of a list, or with what the section stands in.
                    if let items = value as? [Any], !inverted {
                        for item in items { walk(body, stack: stack + [item], into: &found) }
                    } else {
                        walk(body, stack: stack, into: &found)
                    }
                } else if inverted {
                    if !isTruthy(value) { walk(body, stack: stack, into: &found) }
                } else if let items = value as? [Any] {
                    for item in items { walk(body, stack: stack + [item], into: &found) }
                } else if let flag = value as? Bool {
                    if flag { walk(body, stack: stack, into: &found) }
                } else {
                    walk(body, stack: stack + [value], into: &found)
                }
            }
        }
    }

    enum Lookup {
        case found(Any)
        case missing
    }

    /// The first name climbs the stack, innermost first; the rest of a dotted path must follow from there.
    static func lookUp(_ path: String, in stack: [Any]) -> Lookup {
        if path == "." { return stack.last.map(Lookup.found) ?? .missing }
        let names = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var current: Any?
        if names.first == "" {
            // `.name`: the current item only, no climbing.
            current = stack.last
        } else {
            for level in stack.reversed() {
                if let dictionary = level as? [String: Any], let value = dictionary[names[0]] {
                    current = value
                    break
                }
            }
        }
        guard var value = current else { return .missing }
        for name in names.dropFirst() where !name.isEmpty {
            guard let dictionary = value as? [String: Any], let next = dictionary[name] else { return .missing }
            value = next
        }
        return .found(value)
    }

    /// As swift-mustache decides whether a section renders: false and an empty list do not; anything else,
    /// an empty string included, does.
    static func isTruthy(_ value: Any) -> Bool {
        switch value {
        case let flag as Bool: flag
        case let list as [Any]: !list.isEmpty
        default: true
        }
    }
}
