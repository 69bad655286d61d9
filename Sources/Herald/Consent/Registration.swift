import Foundation
import Mail
import Store

/// A request to register a person, as a command, a form or an import row gives it: unchecked text.
public struct Registration: Sendable, Equatable {
    public var email: String
    public var name: String?
    /// `YYYY-MM-DD`; only the year is kept.
    public var birthdate: String?
    public var products: [String]
    public var consents: [Purpose]
    public var source: String
    /// A first name given on its own, and personal fields (`recipients.attributes`), as an operator's API write
    /// gives them (checked by `PersonName.field`).
    public var firstName: String?
    public var attributes: [String: String]

    public init(email: String, name: String? = nil, birthdate: String? = nil, products: [String] = [], consents: [Purpose] = [], source: String,
                firstName: String? = nil, attributes: [String: String] = [:]) {
        self.firstName = firstName
        self.attributes = attributes
        self.email = email
        self.name = name
        self.birthdate = birthdate
        self.products = products
        self.consents = consents
        self.source = source
    }
}

/// The rules a registration must pass before anything is written.
public enum RegistrationRules {
    public static let minimumAge = 13

    /// Nothing about a refused child may be kept, and the person registering must not learn the cut-off, so
    /// the refusal says nothing about why (its kind, `underMinimumAge`, is for the operator's eyes).
    public static let neutralRefusal = "this registration cannot be accepted"

    /// What an operator's import or command says instead: why, without the birth date.
    public static let operatorRefusal = "under \(minimumAge): refused, nothing stored"

    /// Checks every field of a registration (a command's, a form's or an import row's) and returns what the
    /// store writes, with the purposes it grants. Nothing is written here.
    public static func check(_ registration: Registration, today: CivilDate, hasher: AddressHasher) throws(HeraldError) -> (recipient: NewRecipient, consents: [Purpose]) {
        let address = try Self.address(registration.email)
        var products: [String] = []
        for text in registration.products { products.append(try Self.product(text)) }
        let name = try Self.name(registration.name)
        // The age gate last: a child's registration must fail exactly where an adult's would succeed, so that no
        // other error's presence or absence shows where the cut-off lies.
        let birthYear = try registration.birthdate.map { (text) throws(HeraldError) in try Self.birthYear(text, today: today) }
        let recipient = NewRecipient(email: address.normalized, addressHash: hasher.hash(address), name: name,
                                     birthYear: birthYear, products: Array(Set(products)).sorted(), source: registration.source)
        return (recipient, Set(registration.consents).sorted { $0.rawValue < $1.rawValue })
    }

    public static func address(_ text: String) throws(HeraldError) -> EmailAddress {
        do { return try EmailAddress(parsing: text) } catch {
            throw HeraldError(.dataError, "invalid email address: \(error.reason)")
        }
    }

    /// Parses a birth date strictly and applies the age gate. Returns the birth year.
    public static func birthYear(_ text: String, today: Date) throws(HeraldError) -> Int {
        try birthYear(text, today: CivilDate(today))
    }

    public static func birthYear(_ text: String, today: CivilDate) throws(HeraldError) -> Int {
        guard let parts = CivilDate.components(text) else {
            throw HeraldError(.dataError, "invalid birthdate '\(text)': expected YYYY-MM-DD")
        }
        guard let birth = CivilDate(year: parts.year, month: parts.month, day: parts.day) else {
            throw HeraldError(.dataError, "invalid birthdate '\(text)': no such date")
        }
        guard birth <= today else { throw HeraldError(.dataError, "invalid birthdate '\(text)': it is in the future") }
        guard birth.year >= 1900 else { throw HeraldError(.dataError, "invalid birthdate '\(text)': before 1900") }
        guard birth.years(until: today) >= minimumAge else { throw HeraldError(.underMinimumAge, neutralRefusal) }
        return birth.year
    }

    /// Product names are segment keys: lower-case letters, digits, `-`, `_` and `.`.
    public static func product(_ text: String) throws(HeraldError) -> String {
        let product = text.trimmingWhitespace().lowercased()
        guard !product.isEmpty, product.count <= 64,
              product.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }) else {
            throw HeraldError(.dataError, "invalid product '\(text)': use lower-case letters, digits, '-', '_' or '.'")
        }
        return product
    }

    /// Names come from people; they are kept as given but bounded, and controls never enter the store.
    public static func name(_ text: String?) throws(HeraldError) -> String? {
        guard let text else { return nil }
        let clean = HeaderText.sanitized(text).trimmingWhitespace()
        guard clean.count <= 200 else { throw HeraldError(.dataError, "the name is longer than 200 characters") }
        return clean.isEmpty ? nil : clean
    }
}
