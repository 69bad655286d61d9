/// Where composed messages go. `Herald` declares it; the SMTP and file transports implement it, and tests
/// can add their own.
public protocol MailTransport: Sendable {
    /// A human description for summaries, such as `smtp://127.0.0.1:2525` or `file var/outbox`.
    var destination: String { get }
    /// How many messages may be in flight at once (one `MessageSender` each).
    var parallelism: Int { get }
    /// A sender for one worker thread; it may hold a connection open between messages.
    func makeSender() throws(HeraldError) -> any MessageSender
}

/// Sends messages one at a time, on one thread.
public protocol MessageSender: AnyObject {
    func send(_ message: MessageComposer.Composed, job: Int64, campaign: Int64) -> DeliveryVerdict
    /// The last failure was about the whole destination (unreachable, TLS, AUTH), not one message.
    var lastFailureWasFatal: Bool { get }
}
