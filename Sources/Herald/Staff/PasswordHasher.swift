import _CryptoExtras
import Crypto
import Foundation

/// Console passwords, stored as scrypt hashes (swift-crypto's `KDF.Scrypt`, memory-hard: 2^15 × 8 × 128 bytes =
/// 32 MiB a guess) in one self-describing string, `scrypt$LOG2N$R$P$SALT$HASH` (base64), so the parameters can
/// be raised later without invalidating stored hashes.
struct PasswordHasher: Sendable {
    var log2Rounds = 15
    var blockSize = 8
    var parallelism = 1

    func hash(_ password: String) throws(HeraldError) -> String {
        let salt = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
        let derived = try derive(password, salt: salt, log2Rounds: log2Rounds, blockSize: blockSize, parallelism: parallelism)
        return ["scrypt", String(log2Rounds), String(blockSize), String(parallelism), salt.base64EncodedString(), derived.base64EncodedString()]
            .joined(separator: "$")
    }

    /// Compares in constant time; a string that is not one of these hashes never matches.
    func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let log2 = Int(parts[1]), (10...20).contains(log2), let r = Int(parts[2]), (1...32).contains(r),
              let p = Int(parts[3]), (1...16).contains(p), let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
              let derived = try? derive(password, salt: salt, log2Rounds: log2, blockSize: r, parallelism: p) else { return false }
        guard derived.count == expected.count else { return false }
        return zip(derived, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private func derive(_ password: String, salt: Data, log2Rounds: Int, blockSize: Int, parallelism: Int) throws(HeraldError) -> Data {
        do {
            let key = try KDF.Scrypt.deriveKey(from: Data(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << log2Rounds,
                                               blockSize: blockSize, parallelism: parallelism, maxMemory: 64 << 20)
            return key.withUnsafeBytes { Data($0) }
        } catch {
            throw HeraldError(.software, "cannot hash the password: \(error)")
        }
    }
}
