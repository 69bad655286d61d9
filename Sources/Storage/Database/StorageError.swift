import GRDB

/// A database failure, with the file when it concerns opening one.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public var path: String?
    public var message: String
    /// A UNIQUE or foreign-key constraint refused the write.
    public var isConstraintViolation: Bool

    init(path: String? = nil, underlying: any Error) {
        self.path = path
        if let error = underlying as? StorageError {
            self = error
            return
        }
        if let error = underlying as? DatabaseError {
            self.message = error.message ?? "\(error.resultCode)"
            self.isConstraintViolation = error.resultCode == .SQLITE_CONSTRAINT
        } else {
            self.message = "\(underlying)"
            self.isConstraintViolation = false
        }
    }

    public init(message: String) {
        self.path = nil
        self.message = message
        self.isConstraintViolation = false
    }

    public var description: String {
        if let path { return "database \(path): \(message)" }
        return "database: \(message)"
    }
}
