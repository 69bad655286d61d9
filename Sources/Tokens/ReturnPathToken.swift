import Crypto
import Foundation

/// A signed token that fits in an address's local part: `b-TOKEN@bounce.domain`, the envelope sender of one
/// message, names its outbox job, so a bounce maps to exactly one message and recipient without trusting anything
/// quoted in its body; `u-TOKEN@bounce.domain` (a `mailto:` unsubscribe) names a person, a purpose and the
/// campaign. Neither holds the address in a readable form.
///
/// A local part has at most 64 octets (RFC 5321) and some servers lower-case it, so the bytes are written in
/// base32, lower case: `kind(1) | id (LEB128) | [purpose(1) | campaign (LEB128)] | day issued(2) | tag(10)`, the
/// tag the first 80 bits of HMAC-SHA256 over the bytes before it. 80 bits: a forger needs 2^80 tries to land
/// one, and each try is a mail someone must send. The first key signs; every key verifies, for rotation.
public struct ReturnPathToken: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        /// The envelope sender of one message: its outbox job.
        case bounce = 1
        /// A `mailto:` unsubscribe: a person, a purpose (by its index) and a campaign.
        case unsubscribe = 2

        public var prefix: String { self == .bounce ? "b-" : "u-" }

        /// A bounce comes within days; a `mailto:` unsubscribe as long as the mail may sit in an inbox.
        var lifetimeDays: Int { self == .bounce ? 60 : 732 }
    }

    public var kind: Kind
    /// The outbox job, or the person.
    public var id: Int64
    /// For an unsubscribe: the purpose's index and the campaign (0 when none).
    public var purpose: UInt8
    public var campaign: Int64
    /// Days since 2020-01-01 (UTC).
    public var day: Int

    public init(kind: Kind, id: Int64, purpose: UInt8 = 0, campaign: Int64 = 0, issuedAt: Date) {
        self.kind = kind
        self.id = id
        self.purpose = purpose
        self.campaign = campaign
        self.day = Self.day(of: issuedAt)
    }

    static let epoch = Date(timeIntervalSince1970: 1_577_836_800)
    static let tagLength = 10
    static func day(of date: Date) -> Int { max(0, min(65_535, Int(date.timeIntervalSince(epoch) / 86_400))) }

    /// The local part: `b-…` or `u-…`.
    public func localPart(keys: [[UInt8]]) -> String {
        var bytes: [UInt8] = [kind.rawValue]
        Self.appendLEB128(UInt64(max(0, id)), to: &bytes)
        if kind == .unsubscribe {
            bytes.append(purpose)
            Self.appendLEB128(UInt64(max(0, campaign)), to: &bytes)
        }
        bytes.append(UInt8(day >> 8))
        bytes.append(UInt8(day & 0xFF))
        bytes += Self.tag(bytes, key: keys[0])
        return kind.prefix + Base32.encode(bytes)
    }

    /// The token a local part names when one of `keys` signed it and it is not older than its kind allows;
    /// nil for anything else (never an error an outside sender could learn from). Case does not matter.
    public static func verify(_ localPart: String, keys: [[UInt8]], now: Date) -> ReturnPathToken? {
        let lowered = localPart.lowercased()
        guard lowered.utf8.count <= 64, lowered.hasPrefix("b-") || lowered.hasPrefix("u-"),
              let bytes = Base32.decode(String(lowered.dropFirst(2))), bytes.count > tagLength + 3 else { return nil }
        let signed = Array(bytes.dropLast(tagLength)), tag = Array(bytes.suffix(tagLength))
        guard keys.contains(where: { ConstantTime.equal(Self.tag(signed, key: $0), tag) }) else { return nil }
        var reader = signed[...]
        guard let rawKind = reader.popFirst(), let kind = Kind(rawValue: rawKind), kind.prefix == String(lowered.prefix(2)),
              let id = readLEB128(&reader) else { return nil }
        var purpose: UInt8 = 0
        var campaign: UInt64 = 0
        if kind == .unsubscribe {
            guard let byte = reader.popFirst(), let value = readLEB128(&reader) else { return nil }
            purpose = byte
            campaign = value
        }
        guard reader.count == 2, id <= UInt64(Int64.max), campaign <= UInt64(Int64.max) else { return nil }
        let day = Int(reader[reader.startIndex]) << 8 | Int(reader[reader.startIndex + 1])
        let today = Self.day(of: now)
        guard day <= today + 1, today - day <= kind.lifetimeDays else { return nil }
        var token = ReturnPathToken(kind: kind, id: Int64(id), purpose: purpose, campaign: Int64(campaign), issuedAt: now)
        token.day = day
        return token
    }

    private static func tag(_ bytes: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: key)).prefix(tagLength))
    }

    static func appendLEB128(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        repeat {
            let low = UInt8(rest & 0x7F)
            rest >>= 7
            bytes.append(rest == 0 ? low : low | 0x80)
        } while rest != 0
    }

    /// At most 10 bytes, and no value written in more bytes than it needs (one spelling per value).
    static func readLEB128(_ bytes: inout ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.popFirst() {
            guard shift < 64 else { return nil }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                guard byte != 0 || shift == 0 else { return nil }
                return value
            }
            shift += 7
        }
        return nil
    }
}

/// RFC 4648 base32, lower case, no padding: what survives a server that changes a local part's case.
enum Base32 {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer = 0, bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// nil for a character outside the alphabet, or trailing bits that are not zero (one spelling per value).
    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer = 0, bits = 0
        for character in text.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = buffer << 5 | value
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
            buffer &= (1 << bits) - 1
        }
        guard bits < 5, buffer == 0 else { return nil }
        return output
    }
}
