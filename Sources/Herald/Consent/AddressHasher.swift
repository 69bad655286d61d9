import Crypto
import Foundation
import Mail

/// The keyed hash of an address's match key (see `EmailAddress.matchKey`) (HMAC-SHA256 with `suppression.key`). The suppression list holds
/// only these, so an erased address stays suppressed without being kept. The key is never rotated: a new
/// key would forget every suppression.
public struct AddressHasher: Sendable {
    /// An HMAC with the key already absorbed; each hash starts from a copy, which saves the key setup per address.
    private let keyed: HMAC<SHA256>

    public init(key: [UInt8]) {
        self.keyed = HMAC<SHA256>(key: SymmetricKey(data: key))
    }

    public func hash(_ address: EmailAddress) -> Data {
        hash(text: address.matchKey)
    }

    /// The keyed hashes of a normalised mailbox and of its domain, by which the registration limits count
    /// confirmation mails. Each input starts with its kind and a NUL, which no match key holds, so neither can
    /// equal an address's hash, nor each other.
    public func hash(_ key: MailboxKey) -> (mailbox: Data, domain: Data) {
        (hash(text: "mailbox\u{0}" + key.mailbox), hash(text: "domain\u{0}" + key.domain))
    }

    private func hash(text: String) -> Data {
        var hmac = keyed
        hmac.update(data: Data(text.utf8))
        return Data(hmac.finalize())
    }
}
