import Crypto
import Foundation

/// Issues and verifies Herald's signed tokens.
///
/// Layout before base64url (no padding):
/// `version(1) | key id length(1) | key id | action(1) | recipient id(8, big-endian) | issued at(8) |
///  scope length(1) | scope | HMAC-SHA256 tag(32)` — the tag covers every byte before it.
/// The first key signs; every key verifies, so a rotated-out key keeps working until it is removed.
public struct TokenAuthority: Sendable {
    public static let formatVersion: UInt8 = 1
    private static let tagLength = 32

    public let keys: [TokenKey]
    /// HMAC already keyed with the signing key: keying hashes the key pads, which was a third of an issue.
    /// Each issue copies it (the hash state is copy-on-write) and adds only its own bytes.
    private let signingMAC: HMAC<SHA256>

    public init(keys: [TokenKey]) throws(TokenError) {
        guard !keys.isEmpty else { throw TokenError(.invalidKey, "at least one token key is needed") }
        var seen = Set<String>()
        for key in keys where !seen.insert(key.id).inserted {
            throw TokenError(.invalidKey, "token key id '\(key.id)' appears twice")
        }
        self.keys = keys
        self.signingMAC = HMAC<SHA256>(key: SymmetricKey(data: keys[0].secret))
    }

    public func issue(_ claims: TokenClaims) -> String {
        let key = keys[0]
        // At most 255 bytes, cut where a character ends: a cut inside one would never verify (the fuzzer saw it).
        var scope = Array(claims.scope.utf8.prefix(255))
        while String(validating: scope, as: UTF8.self) == nil { scope.removeLast() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 + key.id.utf8.count + 1 + 16 + 1 + scope.count + Self.tagLength)
        bytes.append(Self.formatVersion)
        bytes.append(UInt8(key.id.utf8.count))
        bytes.append(contentsOf: key.id.utf8)
        bytes.append(claims.action.rawValue)
        appendBigEndian(UInt64(bitPattern: claims.recipientID), to: &bytes)
        appendBigEndian(UInt64(max(0, claims.issuedAt.timeIntervalSince1970)), to: &bytes)
        bytes.append(UInt8(scope.count))
        bytes.append(contentsOf: scope)
        var mac = signingMAC
        // As one raw buffer: through the array itself, the DataProtocol path cost more than the MAC of these bytes.
        bytes.withUnsafeBytes { mac.update(data: $0) }
        mac.finalize().withUnsafeBytes { bytes.append(contentsOf: $0) }
        return Self.base64URL(bytes)
    }

    /// Checks the tag in constant time before trusting any field, then the action and the age.
    public func verify(_ token: String, expecting action: TokenClaims.Action, now: Date = Date()) throws(TokenError) -> TokenClaims {
        guard token.utf8.count <= 512, let bytes = Self.decodeBase64URL(token) else {
            throw TokenError(.malformed, "the token is not well-formed")
        }
        var reader = ByteReader(bytes: bytes.dropLast(min(bytes.count, Self.tagLength)))
        guard bytes.count > Self.tagLength, reader.byte() == Self.formatVersion,
              let keyIDLength = reader.byte(), let keyID = reader.string(length: Int(keyIDLength)),
              let rawAction = reader.byte(), let recipient = reader.uint64(), let issued = reader.uint64(),
              let scopeLength = reader.byte(), let scope = reader.string(length: Int(scopeLength)), reader.isAtEnd
        else { throw TokenError(.malformed, "the token is not well-formed") }
        guard let key = keys.first(where: { $0.id == keyID }) else {
            throw TokenError(.unknownKey, "the token was signed with a key that is no longer accepted")
        }
        let signed = bytes.prefix(bytes.count - Self.tagLength)
        let tag = bytes.suffix(Self.tagLength)
        guard HMAC<SHA256>.isValidAuthenticationCode(Array(tag), authenticating: Array(signed), using: SymmetricKey(data: key.secret)) else {
            throw TokenError(.badSignature, "the token's signature does not match")
        }
        guard let parsedAction = TokenClaims.Action(rawValue: rawAction), parsedAction == action else {
            throw TokenError(.wrongAction, "the token is not valid for this action")
        }
        let claims = TokenClaims(action: parsedAction, recipientID: Int64(bitPattern: recipient), scope: scope,
                                 issuedAt: Date(timeIntervalSince1970: TimeInterval(issued)))
        guard now.timeIntervalSince(claims.issuedAt) <= action.lifetime, claims.issuedAt.timeIntervalSince(now) < 300 else {
            throw TokenError(.expired, "the token has expired")
        }
        return claims
    }

    private func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Unpadded base64url (RFC 4648 §5), straight from the bytes: two tokens go into every message.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = base64URLAlphabet
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift: UInt32 in stride(from: 18, through: 0, by: -6) { output.append(alphabet[Int(group >> shift & 63)]) }
            index += 3
        }
        let left = bytes.count - index
        if left > 0 {
            let group = UInt32(bytes[index]) << 16 | (left == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            // One byte left gives two characters, two bytes three.
            for shift: UInt32 in stride(from: 18, through: UInt32(18 - 6 * left), by: -6) { output.append(alphabet[Int(group >> shift & 63)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }),
              text.utf8.count % 4 != 1 else { return nil }
        var standard = text.utf8.map { byte in
            byte == UInt8(ascii: "-") ? UInt8(ascii: "+") : byte == UInt8(ascii: "_") ? UInt8(ascii: "/") : byte
        }
        standard += Array(repeating: UInt8(ascii: "="), count: (4 - standard.count % 4) % 4)
        guard let bytes = Data(base64Encoded: Data(standard)).map(Array.init) else { return nil }
        // One spelling per token: a last character whose unused low bits are set decodes to the same bytes, so
        // `…A` and `…B` would both be accepted and a token's text could not serve as its identity.
        guard base64URL(bytes).utf8.elementsEqual(text.utf8) else { return nil }
        return bytes
    }
}

/// Reads the fixed fields of a token payload; every read fails softly past the end.
private struct ByteReader {
    let bytes: ArraySlice<UInt8>
    var position: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var isAtEnd: Bool { position == bytes.endIndex }

    mutating func byte() -> UInt8? {
        guard position < bytes.endIndex else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func uint64() -> UInt64? {
        guard bytes.endIndex - position >= 8 else { return nil }
        defer { position += 8 }
        return bytes[position..<position + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func string(length: Int) -> String? {
        guard bytes.endIndex - position >= length else { return nil }
        defer { position += length }
        return String(validating: bytes[position..<position + length], as: UTF8.self)
    }
}
