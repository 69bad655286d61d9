import Foundation

/// How many confirmation mails the public registration may send per rolling `window`: to one mailbox, to one
/// recipient domain, in all, and in all for submissions that solved no challenge. Past any of them nothing is
/// stored or sent, so the form cannot be used to flood someone's inbox, a domain, or the sender's reputation.
public struct RegistrationLimits: Sendable, Equatable {
    public var perMailbox: Int
    public var perDomain: Int
    public var total: Int
    /// Of `total`, how many may come from submissions without a solved proof-of-work challenge.
    public var withoutChallenge: Int
    public var window: TimeInterval

    public init(perMailbox: Int = 3, perDomain: Int = 100, total: Int = 500, withoutChallenge: Int = 50, window: TimeInterval = 3600) {
        self.perMailbox = perMailbox
        self.perDomain = perDomain
        self.total = total
        self.withoutChallenge = withoutChallenge
        self.window = window
    }

    /// The first limit these counts of the window's confirmation mails have reached, for one more request
    /// (`challenged`: it solved the proof of work); nil when it may go.
    public func exceeded(mailbox: Int, domain: Int, total: Int, withoutChallenge: Int, challenged: Bool) -> RegistrationLimit? {
        if mailbox >= perMailbox { return .mailbox }
        if domain >= perDomain { return .domain }
        if total >= self.total { return .total }
        if !challenged && withoutChallenge >= self.withoutChallenge { return .withoutChallenge }
        return nil
    }
}

/// Which limit refused a registration (a metric's label).
public enum RegistrationLimit: String, Sendable, CaseIterable {
    case mailbox
    case domain
    case total
    case withoutChallenge = "without-challenge"
}
