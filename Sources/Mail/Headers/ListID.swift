/// A `List-Id` field value (RFC 2919): `[phrase] "<" list-id ">"`, where the list-id is a dot-atom with at
/// least one dot (`news.example.com`) of at most 255 octets. Mailbox providers group and filter bulk mail by
/// it, so a malformed one is refused when the configuration is read rather than sent on every message.
public struct ListID: Sendable, Equatable, CustomStringConvertible {
    /// The identifier without angle brackets: `news.example.com`.
    public let identifier: String
    /// The optional description before it, as given: `Example News`.
    public let phrase: String?

    public struct Problem: Error, Sendable, Equatable {
        public let reason: String
    }

    /// Accepts a bare identifier (`news.example.com`), the bracketed form (`<news.example.com>`) and the full
    /// form with a description (`Example News <news.example.com>`, or a quoted one).
    public init(parsing text: String) throws(Problem) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw Problem(reason: "is empty") }
        let identifier: Substring
        var phrase: String?
        if let open = trimmed.lastIndex(of: "<") {
            guard trimmed.hasSuffix(">") else { throw Problem(reason: "must end with '>' after '<'") }
            identifier = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
            let before = String(trimmed[..<open]).trimmingWhitespace()
            phrase = before.isEmpty ? nil : try Self.checkedPhrase(before)
        } else {
            guard !trimmed.contains(">") else { throw Problem(reason: "has '>' without '<'") }
            guard !trimmed.contains(where: \.isWhitespace) else {
                throw Problem(reason: "a description needs the id in angle brackets, as in 'News <news.example.com>'")
            }
            identifier = Substring(trimmed)
        }
        try Self.check(identifier)
        self.identifier = String(identifier)
        self.phrase = phrase
    }

    /// The field body: `<news.example.com>` or `Example News <news.example.com>` (non-ASCII descriptions as encoded words).
    public var fieldValue: String {
        guard let phrase else { return "<\(identifier)>" }
        if phrase.hasPrefix("\"") { return "\(phrase) <\(identifier)>" }
        return "\(HeaderText.phrase(phrase)) <\(identifier)>"
    }

    public var description: String { fieldValue }

    /// `list-label "." list-id-namespace`, both dot-atom-text: letters, digits and `!#$%&'*+-/=?^_`{|}~`,
    /// dots only between atoms.
    private static func check(_ identifier: Substring) throws(Problem) {
        guard !identifier.isEmpty else { throw Problem(reason: "has nothing between '<' and '>'") }
        guard identifier.utf8.count <= 255 else {
            throw Problem(reason: "is \(identifier.utf8.count) octets long; RFC 2919 allows at most 255 between '<' and '>'")
        }
        let atoms = identifier.split(separator: ".", omittingEmptySubsequences: false)
        guard atoms.count >= 2 else {
            throw Problem(reason: "'\(identifier)' needs a label and a domain you control, as in news.example.com")
        }
        guard atoms.allSatisfy({ !$0.isEmpty }) else { throw Problem(reason: "'\(identifier)' has an empty part between dots") }
        if let bad = identifier.unicodeScalars.first(where: { !atomCharacters.contains($0) && $0 != "." }) {
            throw Problem(reason: "'\(identifier)' holds '\(bad.escaped(asASCII: true))', which a list id cannot hold (letters, digits, '-', '_', '.')")
        }
    }

    private static func checkedPhrase(_ phrase: String) throws(Problem) -> String {
        if phrase.hasPrefix("\"") {
            guard phrase.count >= 2, phrase.hasSuffix("\""), !phrase.hasSuffix("\\\"") else {
                throw Problem(reason: "the quoted description is not closed")
            }
        }
        guard phrase.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && !($0.value >= 0x80 && $0.value <= 0x9F) }) else {
            throw Problem(reason: "the description holds a control character")
        }
        guard !phrase.contains("<"), !phrase.contains(">") else { throw Problem(reason: "the description holds '<' or '>'") }
        return phrase
    }

    private static let atomCharacters: Set<Unicode.Scalar> = Set("!#$%&'*+-/=?^_`{|}~abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".unicodeScalars)
}
