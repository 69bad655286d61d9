import COpenSSL
import Foundation

/// An RSA private key held by the system libcrypto, which signs RSA about twice as fast as swift-crypto's
/// BoringSSL on the machine it was measured on (550 µs against 245 µs per RSA-2048 signature; `bench/sign`). Read-only once
/// loaded, and each signature uses its own OpenSSL context, so one key serves every sending thread.
public final class OpenSSLRSAKey: @unchecked Sendable {
    private let key: OpaquePointer

    /// Nil unless the PEM holds an RSA private key (PKCS#1 or PKCS#8).
    public init?(pem: String) {
        var pem = pem
        guard let key = pem.withUTF8({ herald_rsa_key_from_pem($0.baseAddress, $0.count) }) else { return nil }
        self.key = key
    }

    deinit { herald_rsa_key_free(key) }

    public var bits: Int { Int(herald_rsa_key_bits(key)) }

    /// SubjectPublicKeyInfo DER: the `p=` of a DKIM record, base64-encoded.
    public var publicKeyDER: Data {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let length = herald_rsa_public_key_der(key, &buffer, buffer.count)
        return length > 0 ? Data(buffer.prefix(length)) : Data()
    }

    struct SigningFailed: Error {}

    /// RSASSA-PKCS1-v1_5 with SHA-256 over an already computed digest.
    func signature(forSHA256Digest digest: [UInt8]) throws -> Data {
        precondition(digest.count == 32, "a SHA-256 digest is 32 bytes")
        var signature = [UInt8](repeating: 0, count: 1024)
        let length = herald_rsa_sign_sha256_digest(key, digest, &signature, signature.count)
        guard length > 0 else { throw SigningFailed() }
        return Data(signature.prefix(length))
    }
}
