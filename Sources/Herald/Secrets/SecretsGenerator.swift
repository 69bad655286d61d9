import Crypto
import Foundation
import Mail

/// `herald secrets generate`: one fresh secret for each job, as the environment file `serve` and `worker`
/// read (`HERALD_*` variables). 32 random bytes each, base64url, from the system's generator.
public enum SecretsGenerator {
    public struct Entry: Sendable {
        public var variable: String
        public var value: String
        /// What it guards and how it rotates, written above it in the file.
        public var comment: String
    }

    public static func entries(now: Date = Date()) -> [Entry] {
        let day = CivilDate(now)
        let keyID = String(format: "k%04d%02d%02d", day.year, day.month, day.day)
        return [
            Entry(variable: "HERALD_TOKENS_KEYS", value: "\(keyID):\(random())",
                  comment: "Signs unsubscribe, preferences, confirmation and policy links. Rotate by putting a new id:secret first and keeping the old one listed until its links age out (unsubscribe links live 732 days)."),
            Entry(variable: "HERALD_SUPPRESSION_KEY", value: random(),
                  comment: "Keys the hash that keeps erased and suppressed addresses suppressed. Never rotate it: a new key forgets every suppression."),
            Entry(variable: "HERALD_HTTP_SESSION_KEY", value: random(),
                  comment: "Signs the web forms' CSRF values and the registration challenge. Rotate at will: forms shown before (at most a day old) ask to be sent again."),
            Entry(variable: "HERALD_HTTP_ADMIN_TOKEN", value: random(),
                  comment: "Bearer token of the admin API, named \"config\" in its audit entries. Rotate at will; named tokens: herald api-tokens add."),
            Entry(variable: "HERALD_HTTP_METRICS_TOKEN", value: random(),
                  comment: "Bearer token of /metrics, for the Prometheus scraper. Rotate at will."),
            Entry(variable: "HERALD_BOUNCE_KEY", value: random(),
                  comment: "Signs each message's return path (b-TOKEN@bounce.domain), used when bounce.domain is set. A new key leaves bounces of mail sent before it unmatched (they stay in the mailbox)."),
        ]
    }

    /// The environment file: a comment per secret, then `NAME=value`.
    public static func environmentFile(_ entries: [Entry]) -> String {
        "# Herald's secrets (herald secrets generate). Keep this file readable by Herald's user only.\n"
            + entries.map { "# \($0.comment)\n\($0.variable)=\($0.value)\n" }.joined()
    }

    /// Writes the file with mode 0600 from its creation, whatever the umask; refuses to overwrite one.
    public static func write(_ text: String, to path: String) throws(HeraldError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw HeraldError(.usage, "\(path) exists already; secrets are never overwritten (move it away first)") }
            throw HeraldError(.software, "\(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        _ = fchmod(descriptor, 0o600)
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw HeraldError(.software, "\(path): \(String(cString: strerror(errno)))") }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw HeraldError(.software, "\(path): \(String(cString: strerror(errno)))") }
    }

    /// `count` bytes from the system's generator, base64url: each secret here, and the session cookies and API
    /// tokens Herald hands out.
    public static func random(bytes count: Int = 32) -> String {
        Base64URL.encode(SymmetricKey(size: .init(bitCount: count * 8)).withUnsafeBytes { Data($0) })
    }
}
