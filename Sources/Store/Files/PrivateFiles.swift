#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold people's data or live tokens (the SQLite database, the send journals, the file transport's
/// messages) are readable and writable by their owner only, and the folders Herald makes for them are the
/// owner's alone, whatever the umask: the mode is set explicitly after creating, because a umask can only take
/// bits away and an unusual one (0277) would also take the owner's write away. Files and folders that already
/// exist keep the mode someone chose for them, except where a function says otherwise.
public enum PrivateFiles {
    public static let fileMode: mode_t = 0o600
    public static let folderMode: mode_t = 0o700

    /// Why a file or folder could not be made: its path and the system's words.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var message: String

        init(_ path: String, errno number: Int32 = errno) {
            self.path = path
            message = String(cString: strerror(number))
        }

        public var description: String { "\(path): \(message)" }
    }

    /// Creates the folder and any missing parents, each 0700; parents that exist are left alone.
    public static func createDirectory(_ path: String) throws(Failure) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, folderMode) == 0 {
                guard chmod(prefix, folderMode) == 0 else { throw Failure(prefix) }
            } else if errno != EEXIST {
                throw Failure(prefix)
            }
        }
    }

    /// Creates an empty 0600 file if there is none; true when it made one. SQLite then gives the `-wal`,
    /// `-shm` and any journal it creates beside a database the database file's own mode.
    @discardableResult
    public static func createIfMissing(_ path: String) throws(Failure) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if descriptor < 0 {
            if errno == EEXIST { return false }
            throw Failure(path)
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, fileMode) == 0 else { throw Failure(path) }
        return true
    }

    /// Opens the file for writing with `flags` (O_CREAT is added), 0600 whether it is new or Herald's own from
    /// before: the caller gets a descriptor to close.
    public static func openForWriting(_ path: String, flags: Int32) throws(Failure) -> Int32 {
        let descriptor = open(path, flags | O_WRONLY | O_CREAT | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else { throw Failure(path) }
        guard fchmod(descriptor, fileMode) == 0 else {
            let number = errno
            close(descriptor)
            throw Failure(path, errno: number)
        }
        return descriptor
    }

    /// Writes the whole file (created or emptied first), 0600.
    public static func save(_ bytes: [UInt8], to path: String) throws(Failure) {
        let descriptor = try openForWriting(path, flags: O_TRUNC)
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress! + offset, buffer.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(path)
            }
            offset += written
        }
    }

    /// The file's permission bits when its group or other users may read or write it; nil when only its owner
    /// may, or when there is no such file.
    public static func exposedMode(_ path: String) -> mode_t? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let mode = status.st_mode & 0o777
        return mode & 0o066 != 0 ? mode : nil
    }
}
