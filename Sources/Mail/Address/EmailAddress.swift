import Foundation

/// An addr-spec (RFC 5322 §3.4.1) as Herald accepts it: a dot-atom local part, kept as given, and a DNS domain,
/// lower-cased. `normalized` is the form stored, compared and hashed.
///
/// Quoted local parts, address literals and internationalized addresses are refused rather than half-supported.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public init(parsing input: String) throws(ParseError) {
        let text = input.trimmingWhitespace()
        guard !text.isEmpty else { throw ParseError(reason: "the address is empty") }
        guard let at = text.lastIndex(of: "@") else { throw ParseError(reason: "the address has no @") }
        let local = String(text[..<at])
        try Self.validateLocalPart(local)
        let domain = try Self.asciiDomain(String(text[text.index(after: at)...]))
        try Self.validateDomain(domain)
        self.localPart = local
        self.domain = domain
    }

    public var normalized: String { localPart + "@" + domain }

    /// The form two addresses are compared by: the local part is case-folded too. RFC 5321 lets a server
    /// treat `Ada@` and `ada@` as different mailboxes, but virtually none does, and treating them as one
    /// person is the side that never mails someone who opted out under another spelling.
    public var matchKey: String { localPart.lowercased() + "@" + domain }
    public var description: String { normalized }

    private static let atext: Set<UInt8> = Set(Array("!#$%&'*+-/=?^_`{|}~".utf8))
        .union(UInt8(ascii: "a")...UInt8(ascii: "z"))
        .union(UInt8(ascii: "A")...UInt8(ascii: "Z"))
        .union(UInt8(ascii: "0")...UInt8(ascii: "9"))

    private static func validateLocalPart(_ local: String) throws(ParseError) {
        guard !local.isEmpty else { throw ParseError(reason: "the address has nothing before the @") }
        guard local.utf8.count <= 64 else { throw ParseError(reason: "the part before the @ is longer than 64 characters") }
        for atom in local.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !atom.isEmpty else { throw ParseError(reason: "the part before the @ has an empty dot-separated piece") }
            guard atom.allSatisfy({ atext.contains($0) }) else {
                throw ParseError(reason: "the part before the @ contains a character not allowed in an address")
            }
        }
    }

    /// Lower-cases the domain and turns each internationalized label into its IDNA `xn--` form, so one
    /// domain has one spelling in the store (`Bücher.example` → `xn--bcher-kva.example`).
    private static func asciiDomain(_ domain: String) throws(ParseError) -> String {
        var labels: [String] = []
        // Nearly every domain is plain ASCII: lower-casing is all it needs.
        if domain.utf8.allSatisfy({ $0 < 0x80 }) { return domain.lowercased() }
        for label in domain.split(separator: ".", omittingEmptySubsequences: false) {
            let folded = String(label).lowercased().precomposedForIDNA
            if folded.unicodeScalars.allSatisfy(\.isASCII) {
                labels.append(folded)
                continue
            }
            guard folded.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-" || $0.properties.generalCategory == .nonspacingMark || $0.properties.generalCategory == .spacingMark }),
                  let encoded = Punycode.encode(folded) else {
                throw ParseError(reason: "the domain '\(domain)' has a label that is not a valid internationalized name")
            }
            labels.append("xn--" + encoded)
        }
        return labels.joined(separator: ".")
    }

    private static func validateDomain(_ domain: String) throws(ParseError) {
        guard !domain.isEmpty else { throw ParseError(reason: "the address has no domain after the @") }
        guard domain.utf8.count <= 253 else { throw ParseError(reason: "the domain is longer than 253 characters") }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw ParseError(reason: "the domain '\(domain)' has no dot") }
        for label in labels {
            guard !label.isEmpty, label.count <= 63,
                  label.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }),
                  label.first != "-", label.last != "-" else {
                throw ParseError(reason: "the domain '\(domain)' is not a valid host name")
            }
        }
    }
}

extension String {
    /// NFC, as IDNA2008 requires before encoding (a decomposed `u` + `¨` becomes `ü`).
    var precomposedForIDNA: String {
        // Swift compares strings canonically; building from the normalized scalars needs Foundation's mapping.
        precomposedStringWithCanonicalMapping
    }

    /// Trims Unicode white space from both ends. Imports call this for every field, so the common case (nothing
    /// to trim) returns at once instead of going through Foundation's `CharacterSet` bridging.
    public func trimmingWhitespace() -> String {
        if let first = utf8.first, let last = utf8.last, Self.isPlainASCII(first), Self.isPlainASCII(last) { return self }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }

    /// A printable ASCII byte other than space: never white space, never part of a multi-byte scalar.
    private static func isPlainASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
}
