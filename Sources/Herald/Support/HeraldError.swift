/// An error the user sees as one line, with the exit code the contract gives it (sysexits.h).
public struct HeraldError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Equatable {
        public let exitCode: Int32
        private init(_ exitCode: Int32) { self.exitCode = exitCode }

        /// The command was used wrongly (unknown purpose, bad option value).
        public static let usage = Code(64)
        /// The input data was wrong (malformed address, bad CSV row, refused registration, an unknown id or person).
        public static let dataError = Code(65)
        /// A server could not be reached.
        public static let unavailable = Code(69)
        /// Herald itself failed (a database error).
        public static let software = Code(70)
        /// The configuration is missing or wrong.
        public static let configuration = Code(78)
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
