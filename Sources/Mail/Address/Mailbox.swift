/// A name-addr (`Display Name <local@domain>`) or a bare address.
public struct Mailbox: Hashable, Sendable {
    public var displayName: String?
    public var address: EmailAddress

    public init(displayName: String? = nil, address: EmailAddress) {
        self.displayName = displayName
        self.address = address
    }

    /// Parses `Name <addr>` or a bare `addr`, as configuration values are written.
    public init(parsing text: String) throws(EmailAddress.ParseError) {
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            var name = String(trimmed[..<open]).trimmingWhitespace()
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
                name = String(name.dropFirst().dropLast())
            }
            let inner = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            self.init(displayName: name.isEmpty ? nil : name, address: try EmailAddress(parsing: inner))
        } else {
            self.init(address: try EmailAddress(parsing: trimmed))
        }
    }

    /// The header form. The display name comes from data, so it is sanitized and, when it needs to be,
    /// quoted or RFC 2047 encoded: it can never close the field or open another.
    public var headerValue: String {
        guard let name = displayName.map(HeaderText.sanitized), !name.isEmpty else { return address.normalized }
        return HeaderText.phrase(name) + " <" + address.normalized + ">"
    }
}
