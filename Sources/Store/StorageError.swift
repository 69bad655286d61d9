/// A failure of the store, whichever backend: the database's own message, and the file or server when
/// it concerns reaching one.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// The database file, or the server's address.
    public var path: String?
    public var message: String

    public init(path: String? = nil, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String {
        if let path { return "database \(path): \(message)" }
        return "database: \(message)"
    }
}
