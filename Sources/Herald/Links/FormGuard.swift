import Crypto
import Foundation

/// The CSRF value a page's form carries: bound to that page (its token) and to when it was shown, signed
/// with a key of Herald's own, so a form another site builds cannot be posted in the person's name. Valid for
/// a day; checked in constant time.
public struct FormGuard: Sendable {
    public static let lifetime: TimeInterval = 86_400
    private let key: SymmetricKey

    /// `secret`: a configured secret; the guard's key is derived from it, so it is never used as-is here.
    public init(secret: [UInt8]) {
        key = SymmetricKey(data: SHA256.hash(data: Data("herald form guard\u{0}".utf8) + secret))
    }

    /// `<issued seconds>.<base64url HMAC-SHA256 over page and time>`.
    public func issue(for page: String, now: Date) -> String {
        let issued = String(Int64(now.timeIntervalSince1970))
        return issued + "." + Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data((issued + "\u{0}" + page).utf8), using: key)))
    }

    public func accepts(_ value: String, for page: String, now: Date) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let issued = Int64(parts[0]), let mac = Self.decode(String(parts[1])) else { return false }
        let age = now.timeIntervalSince1970 - TimeInterval(issued)
        guard age >= -60, age <= Self.lifetime else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data((String(issued) + "\u{0}" + page).utf8), using: key)
    }

    private static func decode(_ text: String) -> Data? {
        guard text.count == 43 else { return nil }
        return Data(base64Encoded: text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=")
    }
}
