/// A failure below the level of an SMTP reply: the server could not be reached, TLS or AUTH failed,
/// the connection dropped or timed out. No recipient-specific verdict was given.
public struct SMTPTransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case unreachable
        case tls
        case authentication
        /// The server answered but refused the session (greeting, EHLO or MAIL FROM), not one recipient.
        case refused
        case timeout
        case connectionLost
        case other
    }

    public var kind: Kind
    public var message: String
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// A failure of the destination as a whole: every other message would fail the same way now.
    public var isDestinationFailure: Bool {
        switch kind {
        case .unreachable, .tls, .authentication, .refused: true
        case .timeout, .connectionLost, .other: false
        }
    }
}
