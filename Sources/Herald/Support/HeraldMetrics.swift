import Metrics
import Store

/// What Herald counts, through swift-metrics: whichever backend the process bootstrapped (Prometheus in
/// `herald serve`; nothing at all, at no cost, in a command that did not). Labels are states and sources only,
/// never a person, a campaign name or a token.
public enum HeraldMetrics {
    /// Messages by final or retry outcome (`sent`, `deferred`, `bounced`, `skipped`, `failed`), as recorded.
    public static let messagesName = "herald_messages_total"
    /// Purposes revoked, by the ledger's source (`one-click`, `preferences`, `admin`, `cli`…).
    public static let unsubscribesName = "herald_unsubscribes_total"
    /// From handing a message to SMTP to the server's verdict.
    public static let smtpReplyName = "herald_smtp_reply_seconds"
    /// Registrations refused by a limit on confirmation mails, by limit (`mailbox`, `domain`, `total`,
    /// `without-challenge`): nothing of them was stored or sent.
    public static let registrationsLimitedName = "herald_registrations_limited_total"

    static func countMessages(_ counts: [OutboxState: Int]) {
        for (state, count) in counts where count > 0 {
            Counter(label: messagesName, dimensions: [("outcome", state.rawValue)]).increment(by: count)
        }
    }

    static func countUnsubscribes(_ count: Int, source: String) {
        guard count > 0 else { return }
        Counter(label: unsubscribesName, dimensions: [("source", source)]).increment(by: count)
    }

    static func countLimitedRegistration(_ limit: RegistrationLimit) {
        Counter(label: registrationsLimitedName, dimensions: [("limit", limit.rawValue)]).increment()
    }

    static func smtpReply() -> Metrics.Timer {
        Metrics.Timer(label: smtpReplyName, preferredDisplayUnit: .seconds)
    }
}
