import Crypto
import Foundation
import Synchronization

/// The registration form's proof of work, self-hosted (the scheme of ALTCHA, which listmonk ships): the
/// server picks a salt and a secret number up to `cost`, and sends the SHA-256 of the two with an HMAC of that
/// hash; the browser tries numbers until its hash matches, so each registration costs its sender about
/// `cost / 2` hashes while the server spends one hash and one HMAC to check it. No third party is asked and
/// nothing is stored but the salts already used (in memory, until they expire), so a solution counts once.
///
/// A browser without JavaScript sends no solution; its registration is still taken, under the smaller cap
/// `register.limits.without_challenge`.
public final class RegistrationChallenge: Sendable {
    public struct Puzzle: Sendable, Equatable {
        /// `<expiry, seconds since 1970>.<random hex>`.
        public var salt: String
        /// Lower-case hex SHA-256 of salt + number.
        public var challenge: String
        /// The largest number to try.
        public var maxNumber: Int
        /// Lower-case hex HMAC-SHA256 of the challenge.
        public var signature: String
    }

    /// A page may be filled in slowly; a puzzle older than this is refused.
    public static let lifetime: TimeInterval = 3600
    /// Salts remembered at once; past it the oldest expired go, and if none has, a solution is not counted.
    static let memory = 100_000

    private let key: SymmetricKey
    public let cost: Int
    private let used = Mutex<[String: TimeInterval]>([:])

    /// `secret`: `http.session_key`; the puzzle's key is derived from it, so the key never signs two things.
    public init(secret: [UInt8], cost: Int) {
        key = SymmetricKey(data: SHA256.hash(data: Data("herald registration challenge\u{0}".utf8) + secret))
        self.cost = max(1, cost)
    }

    public func issue(now: Date) -> Puzzle {
        let expiry = Int64(now.timeIntervalSince1970 + Self.lifetime)
        let salt = "\(expiry)." + Self.hex(SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) })
        let challenge = Self.hash(salt, Int.random(in: 0...cost))
        return Puzzle(salt: salt, challenge: challenge, maxNumber: cost, signature: sign(challenge))
    }

    /// Whether `number` solves the puzzle this server issued with `salt` and `signature`, unexpired and not used
    /// before; a solution that is accepted is used up.
    public func accepts(salt: String, number: String, signature: String, now: Date) -> Bool {
        guard salt.utf8.count <= 64, signature.utf8.count == 64, let solution = Int(number), (0...cost).contains(solution),
              let dot = salt.firstIndex(of: "."), let expiry = TimeInterval(salt[..<dot]) else { return false }
        let moment = now.timeIntervalSince1970
        guard expiry >= moment, expiry <= moment + Self.lifetime + 60 else { return false }
        guard HashedSecret.constantTimeEqual(Array(sign(Self.hash(salt, solution)).utf8), Array(signature.utf8)) else { return false }
        return used.withLock { seen in
            if seen.count >= Self.memory { seen = seen.filter { $0.value >= moment } }
            guard seen.count < Self.memory, seen[salt] == nil else { return false }
            seen[salt] = expiry
            return true
        }
    }

    private func sign(_ challenge: String) -> String {
        Self.hex(Array(HMAC<SHA256>.authenticationCode(for: Data(challenge.utf8), using: key)))
    }

    static func hash(_ salt: String, _ number: Int) -> String {
        hex(Array(SHA256.hash(data: Data((salt + String(number)).utf8))))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
