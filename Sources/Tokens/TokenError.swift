/// Why a token was refused. Every refusal is final: nothing was acted on.
public struct TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case malformed
        case unknownKey
        case badSignature
        case expired
        case wrongAction
        case invalidKey
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
