import Foundation
import Logging
import Store

/// The SQLite file holds addresses, names, birth years and staff password hashes. Herald creates it (and so
/// its `-wal` and `-shm`) 0600, but a file made by an older Herald or copied in by hand may be readable by every
/// user on the machine: `serve` and `worker` say so once at start, with the fix, and run anyway (changing a mode
/// someone may have chosen is theirs to do).
public enum DatabaseFileCheck {
    /// One line naming each of the database's files that its group or other users may read or write, and the
    /// `chmod` that fixes them; nil when there is none (or the database is PostgreSQL's).
    public static func warning(for configuration: HeraldConfiguration) -> String? {
        guard configuration.postgres == nil else { return nil }
        let files = [configuration.database, configuration.database + "-wal", configuration.database + "-shm"]
        let exposed = files.compactMap { path in PrivateFiles.exposedMode(path).map { (path: path, mode: $0) } }
        guard !exposed.isEmpty else { return nil }
        let named = exposed.map { "\($0.path) (mode 0\(String($0.mode, radix: 8)))" }.joined(separator: ", ")
        return "other users on this machine may read or change the database: \(named); "
            + "fix it with: chmod 600 \(exposed.map { shellQuoted($0.path) }.joined(separator: " "))"
    }

    /// Logs the warning, if there is one, at warning level through the command's logger (`herald.serve`…).
    public static func warn(_ configuration: HeraldConfiguration, label: String) {
        if let warning = warning(for: configuration) { Logger(label: label).warning("\(warning)") }
    }

    /// A path as a shell word: as it is when nothing in it is special, else in single quotes.
    static func shellQuoted(_ path: String) -> String {
        let plain = path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+,:@".contains($0) }
        return plain ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
