import Foundation
import Store

/// A campaign's `--segment`: comma-separated `field:value` terms. Terms of the same field are alternatives
/// (any of them); different fields must all hold. `product:NAME` — registered for that product;
/// `purpose:PURPOSE` — also consenting to that purpose; `attribute:NAME=VALUE` — that personal field has that
/// value. So `product:minilogue,product:kronos` is owners of either, `product:kronos,purpose:promotions` is
/// Kronos owners who also accept promotions, and `attribute:country=DE,attribute:country=AT` is people in
/// Germany or Austria.
public struct Segment: Sendable, Equatable, CustomStringConvertible {
    public var products: [String] = []
    public var purposes: [Purpose] = []
    /// For each personal field, the values any of which it must have.
    public var attributes: [String: [String]] = [:]

    public init(products: [String] = [], purposes: [Purpose] = [], attributes: [String: [String]] = [:]) {
        self.products = products
        self.purposes = purposes
        self.attributes = attributes
    }

    /// Every term a segment can have, for `--help` and the console.
    public static let termsHelp = """
        product:NAME (registered that product), purpose:PURPOSE (also agreed to product-news or promotions), \
        attribute:NAME=VALUE (a personal field of recipients.attributes has that value); terms of one field are \
        alternatives, different fields must all hold; or the name of a saved segment (herald segment save)
        """

    public static func parse(_ text: String) throws(HeraldError) -> Segment {
        var segment = Segment()
        for (index, rawTerm) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let term = rawTerm.trimmingCharacters(in: .whitespaces)
            guard let colon = term.firstIndex(of: ":") else {
                throw HeraldError(.usage, "segment term \(index + 1) '\(term)': expected field:value, such as product:minilogue")
            }
            let field = term[..<colon], value = String(term[term.index(after: colon)...])
            switch field {
            case "product":
                do { segment.products.append(try RegistrationRules.product(value)) } catch {
                    throw HeraldError(.usage, "segment term \(index + 1): \(error.message)")
                }
            case "purpose":
                do { segment.purposes.append(try Purpose.parse(value)) } catch {
                    throw HeraldError(.usage, "segment term \(index + 1): \(error.message)")
                }
            case "attribute":
                guard let equals = value.firstIndex(of: "="), PersonName.isAttributeName(String(value[..<equals])) else {
                    throw HeraldError(.usage, "segment term \(index + 1) '\(term)': expected attribute:NAME=VALUE, such as attribute:country=DE")
                }
                let wanted = String(value[value.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
                guard !wanted.isEmpty, wanted.utf8.count <= 200, !wanted.contains(",") else {
                    throw HeraldError(.usage, "segment term \(index + 1) '\(term)': the value must be 1 to 200 bytes without a comma")
                }
                segment.attributes[String(value[..<equals]), default: []].append(wanted)
            default:
                throw HeraldError(.usage, "segment term \(index + 1) '\(term)': unknown field '\(field)'; known fields: product, purpose, attribute")
            }
        }
        return segment
    }

    public var description: String {
        (products.map { "product:\($0)" } + purposes.map { "purpose:\($0.rawValue)" }
         + attributes.keys.sorted().flatMap { name in attributes[name]!.map { "attribute:\(name)=\($0)" } }).joined(separator: ",")
    }
}
