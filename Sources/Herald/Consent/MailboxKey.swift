import Mail

/// The mailbox an address delivers to, as far as can be told without asking its server: what the registration
/// limits count by, so that `victim+1@`, `victim+2@`… or Gmail's dotted spellings of one address are one
/// mailbox, and cannot each get their own allowance of confirmation mails.
///
/// Lower-cased; a `+tag` dropped from the local part (the subaddress convention of Gmail, Outlook, Fastmail,
/// Proton, iCloud and most servers); for Gmail (`gmail.com`, and `googlemail.com`, which is the same), dots
/// dropped too. Only ever stored as a keyed hash (`AddressHasher.hash(_:)`), never as text.
public struct MailboxKey: Sendable, Equatable {
    /// `local@domain`, normalised.
    public let mailbox: String
    /// The recipient domain, with `googlemail.com` as `gmail.com`.
    public let domain: String

    public init(_ address: EmailAddress) {
        var domain = address.domain.lowercased()
        if domain == "googlemail.com" { domain = "gmail.com" }
        var local = address.localPart.lowercased()
        if let plus = local.firstIndex(of: "+") { local = String(local[..<plus]) }
        if domain == "gmail.com" { local.removeAll { $0 == "." } }
        self.mailbox = local + "@" + domain
        self.domain = domain
    }
}
