import Crypto
import _CryptoExtras
import Foundation

/// A DKIM private key: RSA (1024 to 4096 bits, PEM in PKCS#1 or PKCS#8) for `rsa-sha256`, signed by the
/// system libcrypto, or Ed25519 (PEM in PKCS#8) for `ed25519-sha256` (RFC 8463), signed by swift-crypto.
public enum DKIMKey: Sendable {
    case rsa(OpenSSLRSAKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    public enum Algorithm: String, Sendable, CaseIterable {
        case rsaSHA256 = "rsa-sha256"
        case ed25519SHA256 = "ed25519-sha256"
    }

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public var algorithm: Algorithm {
        switch self {
        case .rsa: .rsaSHA256
        case .ed25519: .ed25519SHA256
        }
    }

    /// Reads a PEM key for the algorithm. The error says what is wrong without repeating the key.
    public init(pem: String, algorithm: Algorithm) throws(LoadError) {
        switch algorithm {
        case .rsaSHA256:
            guard let key = OpenSSLRSAKey(pem: pem) else {
                throw LoadError(reason: "is not an RSA private key in PEM (PKCS#1 or PKCS#8)")
            }
            // RFC 8301 §3.2: at least 1024 bits (2048 recommended); more than 4096 is more than verifiers accept.
            guard (1024...4096).contains(key.bits) else {
                throw LoadError(reason: "is a \(key.bits)-bit RSA key; DKIM needs 1024 to 4096 bits (2048 recommended)")
            }
            self = .rsa(key)
        case .ed25519SHA256:
            do {
                self = .ed25519(try Curve25519.Signing.PrivateKey(pemRepresentation: pem))
            } catch {
                throw LoadError(reason: "is not an Ed25519 private key in PEM (PKCS#8)")
            }
        }
    }

    /// The `p=` value of the selector's DNS TXT record.
    public var publicKeyRecord: String {
        switch self {
        case .rsa(let key): "v=DKIM1; k=rsa; p=" + key.publicKeyDER.base64EncodedString()
        case .ed25519(let key): "v=DKIM1; k=ed25519; p=" + key.publicKey.rawRepresentation.base64EncodedString()
        }
    }

    /// Signs the canonical header data: RSA PKCS#1 v1.5 over its SHA-256, or Ed25519 over its SHA-256 (RFC 8463 §3).
    func sign(_ data: [UInt8]) throws -> Data {
        let digest = SHA256.hash(data: data)
        switch self {
        case .rsa(let key):
            return try key.signature(forSHA256Digest: Array(digest))
        case .ed25519(let key):
            return try key.signature(for: Data(digest))
        }
    }
}
