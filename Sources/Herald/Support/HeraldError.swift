/// An error the user sees as one line: what kind of failure it is, what went wrong, and the error beneath
/// it when there is one. The kind says what the failure *is*; each face decides what it means there (the
/// command line's exit codes in `HeraldCLI`, HTTP statuses in `HeraldHTTP`), so the core knows neither.
public struct HeraldError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, CaseIterable {
        /// The request was put wrongly: an unknown purpose, kind, template or option value.
        case usage
        /// The data given is wrong: a malformed address, a bad CSV row, an impossible birth date.
        case dataError
        /// What the request names does not exist: no campaign with that id, nobody with that address.
        case notFound
        /// It exists but is in a state that does not allow this: cancelling a finished campaign.
        case conflict
        /// A registration the age gate refuses (under 13). Its message is neutral; whoever may know why (an
        /// operator's import) reads the kind, never a birth date.
        case underMinimumAge
        /// A server could not be reached.
        case unavailable
        /// Herald itself failed (a database error, a file it must write).
        case software
        /// The configuration is missing or wrong.
        case configuration
    }

    public var kind: Kind
    public var message: String
    /// The error this one was made from (a `StorageError`, a `TemplateError`…), kept for logs and faces.
    public var cause: (any Error & Sendable)?

    public init(_ kind: Kind, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.cause = cause
    }

    /// Kept for readers of the kind under its earlier name.
    public var code: Kind { kind }

    public var description: String { message }
}
