import GRDB

/// A database failure, with the file when it concerns opening one.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public var path: String?
    public var message: String

    init(path: String? = nil, underlying: any Error) {
        self.path = path
        if let error = underlying as? StorageError {
            self = error
            return
        }
        if let error = underlying as? DatabaseError {
            self.message = error.message ?? "\(error.resultCode)"
        } else {
            self.message = "\(underlying)"
        }
    }

    public init(message: String) {
        self.path = nil
        self.message = message
    }

    public var description: String {
        if let path { return "database \(path): \(message)" }
        return "database: \(message)"
    }
}
