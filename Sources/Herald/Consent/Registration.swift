import Foundation
import Mail

/// A request to register a person, as a command, a form or an import row gives it: unchecked text.
public struct Registration: Sendable, Equatable {
    public var email: String
    public var name: String?
    /// `YYYY-MM-DD`; only the year is kept.
    public var birthdate: String?
    public var products: [String]
    public var consents: [Purpose]
    public var source: String

    public init(email: String, name: String? = nil, birthdate: String? = nil, products: [String] = [], consents: [Purpose] = [], source: String) {
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

    /// Nothing about a refused child may be kept, so the refusal says nothing about why.
    public static let neutralRefusal = "this registration cannot be accepted"

    public static func address(_ text: String) throws(HeraldError) -> EmailAddress {
        do { return try EmailAddress(parsing: text) } catch {
            throw HeraldError(.dataError, "invalid email address: \(error.reason)")
        }
    }

    /// Parses a birth date strictly and applies the age gate. Returns the birth year.
    public static func birthYear(_ text: String, today: Date) throws(HeraldError) -> Int {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else {
            throw HeraldError(.dataError, "invalid birthdate '\(text)': expected YYYY-MM-DD")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: month, day: day) else {
            throw HeraldError(.dataError, "invalid birthdate '\(text)': no such date")
        }
        guard date <= today else { throw HeraldError(.dataError, "invalid birthdate '\(text)': it is in the future") }
        guard year >= 1900 else { throw HeraldError(.dataError, "invalid birthdate '\(text)': before 1900") }
        let age = calendar.dateComponents([.year], from: date, to: today).year ?? 0
        guard age >= minimumAge else { throw HeraldError(.dataError, neutralRefusal) }
        return year
    }

    /// Product names are segment keys: lower-case letters, digits, `-`, `_` and `.`.
    public static func product(_ text: String) throws(HeraldError) -> String {
        let product = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !product.isEmpty, product.count <= 64,
              product.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }) else {
            throw HeraldError(.dataError, "invalid product '\(text)': use lower-case letters, digits, '-', '_' or '.'")
        }
        return product
    }

    /// Names come from people; they are kept as given but bounded, and controls never enter the store.
    public static func name(_ text: String?) throws(HeraldError) -> String? {
        guard let text else { return nil }
        let clean = HeaderText.sanitized(text).trimmingCharacters(in: .whitespaces)
        guard clean.count <= 200 else { throw HeraldError(.dataError, "the name is longer than 200 characters") }
        return clean.isEmpty ? nil : clean
    }
}
