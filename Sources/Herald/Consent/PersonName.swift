import Foundation

/// A person's first name, and the names personal fields may have.
public enum PersonName {
    /// The first name a message greets: the one given on its own, else taken from the full name, where
    /// "Petrov, Ivan" (family name first, as many lists write it) is Ivan and "Ada Lovelace" is Ada.
    public static func firstName(given: String?, fullName: String?) -> String? {
        if let given = given?.trimmingCharacters(in: .whitespaces), !given.isEmpty { return given }
        guard let full = fullName?.trimmingCharacters(in: .whitespaces), !full.isEmpty else { return nil }
        if let comma = full.firstIndex(of: ",") {
            let after = full[full.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            if let first = after.split(separator: " ").first { return String(first) }
            return String(full[..<comma]).trimmingCharacters(in: .whitespaces)
        }
        return full.split(separator: " ").first.map(String.init)
    }

    /// The columns `recipients import` reads for itself; a personal field may not take one of these names.
    static let importColumns: Set<String> = ["email", "name", "birthdate", "products", "consents", "source"]
    /// The name of the first-name column, which a company may list among its fields.
    public static let firstNameField = "first_name"

    /// The most a personal field's value may hold.
    public static let maxFieldBytes = 200

    /// A personal field's value as given (trimmed; empty is none): at most `maxFieldBytes`, one line, no control
    /// characters.
    public static func field(_ name: String, _ value: String?) throws(HeraldError) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        guard value.utf8.count <= maxFieldBytes else { throw HeraldError(.dataError, "\(name) is longer than \(maxFieldBytes) bytes") }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw HeraldError(.dataError, "\(name) holds a control character or a line break")
        }
        return value
    }

    static func isAttributeName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.utf8.count <= 40 else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
