/// What a received mail means to Herald; see `BounceClassifier`.
public struct BounceClassification: Sendable, Equatable {
    public enum Class: String, Sendable, Equatable, CaseIterable {
        /// A DSN whose recipient `failed` with a 5.x.x status: the address does not take mail.
        case hard
        /// A failure that may pass: 4.x.x, a failure with no status, or a non-standard bounce (never more than soft).
        case soft
        /// A DSN saying delivery is still being tried: changes nothing.
        case delayed
        /// An ARF report of `Feedback-Type: abuse`: the person called the mail spam.
        case complaint
        /// An ARF report of another type (`not-spam`, `fraud`, `virus`, `auth-failure`, `other`…): recorded only.
        case feedback
        /// An automatic reply (out of office, vacation): changes nothing.
        case autoReply
        /// A mail to a `u-TOKEN@` address: the person asks, by mail, to unsubscribe.
        case mailtoUnsubscribe
        /// A DSN that reports only deliveries, relays or expansions: changes nothing.
        case ignored
        /// None of the above.
        case unmatched
    }

    /// How the class was found: only `deliveryStatus` may ever yield `hard`.
    public enum Evidence: String, Sendable, Equatable {
        case deliveryStatus, feedbackReport, autoReplyMarks, textHeuristic, recipientAddress, nothing
    }

    public var `class`: Class
    public var evidence: Evidence
    /// The `b-` token of Herald's return path that this mail answers (or the `u-` token of a mailto unsubscribe):
    /// opaque and not yet verified. Nil when none was found: the mail is about a message Herald did not send, and
    /// whatever its class it must change nothing.
    public var token: String?
    /// A DSN's per-recipient groups, or the one failure a non-standard bounce names.
    public var recipients: [RecipientStatus] = []
    /// A DSN's per-message fields.
    public var report: DeliveryReport?
    public var feedback: FeedbackReport?
    /// The most telling diagnostic: the first failed recipient's, or the line a heuristic matched.
    public var diagnostic: String?

    /// Whether the mail answers a message Herald sent (or is a mailto unsubscribe Herald offered).
    public var hasToken: Bool { token != nil }

    /// The address's whole local part, `b-TOKEN` or `u-TOKEN`: what `ReturnPathToken` (Tokens) verifies.
    public var tokenLocalPart: String? {
        token.map { (`class` == .mailtoUnsubscribe ? "u-" : "b-") + $0 }
    }

    public init(class: Class, evidence: Evidence, token: String? = nil) {
        self.class = `class`
        self.evidence = evidence
        self.token = token
    }
}

/// One per-recipient group of a DSN (RFC 3464, 2.3).
public struct RecipientStatus: Sendable, Equatable {
    /// `Final-Recipient`'s address, its type (`rfc822;`, `utf-8;`) removed.
    public var finalRecipient: String?
    public var originalRecipient: String?
    /// Lowercased: `failed`, `delayed`, `delivered`, `relayed`, `expanded`.
    public var action: String?
    /// The enhanced status code (RFC 3463) alone, e.g. `5.1.1`.
    public var status: String?
    public var diagnosticCode: String?
    public var remoteMTA: String?
    /// `hard`, `soft`, `delayed` or `ignored`.
    public var `class`: BounceClassification.Class

    public init(finalRecipient: String? = nil, originalRecipient: String? = nil, action: String? = nil, status: String? = nil,
                diagnosticCode: String? = nil, remoteMTA: String? = nil, class: BounceClassification.Class) {
        self.finalRecipient = finalRecipient
        self.originalRecipient = originalRecipient
        self.action = action
        self.status = status
        self.diagnosticCode = diagnosticCode
        self.remoteMTA = remoteMTA
        self.class = `class`
    }
}

/// A DSN's per-message fields (RFC 3464, 2.2).
public struct DeliveryReport: Sendable, Equatable {
    public var originalEnvelopeID: String?
    public var reportingMTA: String?
    public var arrivalDate: String?
    /// The returned message's envelope sender, where the reporting MTA says it: Postfix's `X-Postfix-Sender`.
    public var envelopeSender: String?
    /// `message/global-delivery-status` (RFC 6533): the fields may hold UTF-8.
    public var isGlobal: Bool
}

/// An ARF report's machine-readable part (RFC 5965, 3.1).
public struct FeedbackReport: Sendable, Equatable {
    /// Lowercased: `abuse`, `fraud`, `virus`, `other`, `not-spam`, `auth-failure`…
    public var feedbackType: String
    public var userAgent: String?
    public var originalMailFrom: String?
    public var originalRcptTo: [String]
    public var arrivalDate: String?
    public var reportingMTA: String?
    public var sourceIP: String?
    /// The reported message's header, from the report's third part, when it has one.
    public var originalHeaders: ReceivedHeaders?
}
