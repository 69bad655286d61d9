import Foundation

/// A campaign's `--segment`: comma-separated terms, any of which may match. For now the terms are
/// `product:NAME` (registered for that product).
public struct Segment: Sendable, Equatable, CustomStringConvertible {
    public var products: [String]

    public static func parse(_ text: String) throws(HeraldError) -> Segment {
        var products: [String] = []
        for (index, rawTerm) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let term = rawTerm.trimmingCharacters(in: .whitespaces)
            guard let colon = term.firstIndex(of: ":") else {
                throw HeraldError(.usage, "segment term \(index + 1) '\(term)': expected field:value, such as product:minilogue")
            }
            let field = term[..<colon], value = String(term[term.index(after: colon)...])
            guard field == "product" else {
                throw HeraldError(.usage, "segment term \(index + 1) '\(term)': unknown field '\(field)'; known fields: product")
            }
            do { products.append(try RegistrationRules.product(value)) } catch {
                throw HeraldError(.usage, "segment term \(index + 1): \(error.message)")
            }
        }
        return Segment(products: products)
    }

    public var description: String { products.map { "product:\($0)" }.joined(separator: ",") }
}
