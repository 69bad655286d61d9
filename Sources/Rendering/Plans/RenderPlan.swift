/// One part of a template (subject, text or HTML) rendered once with placeholders where a recipient's own
/// values go, so that each message only fills the gaps: swift-mustache's lookups cost far more than copying.
///
/// A placeholder is `U+E000 & <letters><slot> U+E001`. The `&` tells how the template used the value: the
/// HTML escaping turns it into `&amp;`, so an escaped placeholder gets the escaped value and a raw one (`{{{x}}}`
/// or a text part) the value as it is.
struct RenderPlan: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case value(slot: Int, escaped: Bool)
    }

    let segments: [Segment]

    /// Placeholders for the first rendering, and for the check against a second one. The two differ in every
    /// letter, in case and in length, and sort in opposite orders, so that a transform applied to a value or a
    /// list of them (`uppercased`, `capitalized`, `reversed`, `sorted`) cannot give the same result for both and
    /// is caught by the comparison.
    enum Marker: String {
        case first = "Ka"
        case check = "zWy"

        static let slots = 0..<90_000

        func placeholder(slot: Int) -> String {
            "\u{E000}&" + rawValue + String(self == .first ? 100_000 + slot : 199_999 - slot) + "\u{E001}"
        }
    }

    /// Splits `rendered` at every `.first` placeholder it holds, raw or escaped.
    init(parsing rendered: String) {
        var segments: [Segment] = []
        var literal = Substring.UnicodeScalarView()
        var scalars = Substring(rendered).unicodeScalars[...]
        while let scalar = scalars.first {
            if scalar == "\u{E000}", let (slot, escaped, rest) = Self.placeholder(at: scalars.dropFirst()) {
                if !literal.isEmpty { segments.append(.literal(String(literal))) }
                literal = Substring.UnicodeScalarView()
                segments.append(.value(slot: slot, escaped: escaped))
                scalars = rest
            } else {
                literal.append(scalar)
                scalars = scalars.dropFirst()
            }
        }
        if !literal.isEmpty { segments.append(.literal(String(literal))) }
        self.segments = segments
    }

    private static func placeholder(at scalars: Substring.UnicodeScalarView) -> (Int, Bool, Substring.UnicodeScalarView)? {
        let text = Substring(scalars)
        let escaped: Bool
        var rest: Substring
        if text.hasPrefix("&amp;" + Marker.first.rawValue) {
            escaped = true
            rest = text.dropFirst(5 + Marker.first.rawValue.count)
        } else if text.hasPrefix("&" + Marker.first.rawValue) {
            escaped = false
            rest = text.dropFirst(1 + Marker.first.rawValue.count)
        } else {
            return nil
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard digits.count == 6, let number = Int(digits), Marker.slots.contains(number - 100_000) else { return nil }
        let slot = number - 100_000
        rest = rest.dropFirst(digits.count)
        guard rest.unicodeScalars.first == "\u{E001}" else { return nil }
        return (slot, escaped, rest.unicodeScalars.dropFirst())
    }

    /// The part with `values` in its gaps, escaped where the template escaped them.
    func filled(with values: [String], escape: (String) -> String) -> String? {
        var output = ""
        output.reserveCapacity(segments.reduce(0) { total, segment in
            if case .literal(let text) = segment { total + text.utf8.count } else { total + 64 }
        })
        for segment in segments {
            switch segment {
            case .literal(let text):
                output += text
            case .value(let slot, let escaped):
                guard values.indices.contains(slot) else { return nil }
                output += escaped ? escape(values[slot]) : values[slot]
            }
        }
        return output
    }
}
