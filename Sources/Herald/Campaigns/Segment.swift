import Foundation
import Store

/// A campaign's `--segment`: comma-separated `field:value` terms. Terms of the same field are alternatives
/// (any of them); different fields must all hold. `product:NAME` — registered for that product;
/// `purpose:PURPOSE` — also consenting to that purpose. So `product:minilogue,product:kronos` is owners of
/// either, and `product:kronos,purpose:promotions` is Kronos owners who also accept promotions.
public struct Segment: Sendable, Equatable, CustomStringConvertible {
    public var products: [String] = []
    public var purposes: [Purpose] = []

    public init(products: [String] = [], purposes: [Purpose] = []) {
        self.products = products
        self.purposes = purposes
    }

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
            default:
                throw HeraldError(.usage, "segment term \(index + 1) '\(term)': unknown field '\(field)'; known fields: product, purpose")
            }
        }
        return segment
    }

    public var description: String {
        (products.map { "product:\($0)" } + purposes.map { "purpose:\($0.rawValue)" }).joined(separator: ",")
    }
}
