import Crypto
import Foundation
import Mail

/// The keyed hash of an address's match key (see `EmailAddress.matchKey`) (HMAC-SHA256 with `suppression.key`). The suppression list holds
/// only these, so an erased address stays suppressed without being kept. The key is never rotated: a new
/// key would forget every suppression.
public struct AddressHasher: Sendable {
    private let key: SymmetricKey

    public init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    public func hash(_ address: EmailAddress) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(address.matchKey.utf8), using: key))
    }
}
