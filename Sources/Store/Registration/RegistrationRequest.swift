import Foundation

/// One submission of the registration form (or one operator's invitation), as the store keeps it until the
/// person confirms or 7 days pass: no person is stored for it, so a stranger who types someone's address
/// changes nothing about them. Each submission is its own request, and its link applies only its own data.
public struct NewRegistrationRequest: Sendable, Equatable {
    /// Needed only to send the confirmation mail; it goes with the request.
    public var email: String
    /// The keyed hash of the address: the person found or made on confirmation, and the suppression checked.
    public var addressHash: Data
    public var name: String?
    public var birthYear: Int?
    public var products: [String]
    public var purposes: [Purpose]
    /// The person's `source` if the confirmation makes them (`form`, `invite`).
    public var source: String
    /// The keyed hashes of the normalised mailbox (`a+x@` and `a+y@` are one) and of the domain, by which the
    /// confirmation mails are counted against the limits; never the address itself.
    public var mailboxHash: Data
    public var domainHash: Data
    /// The submission came with a solved proof-of-work challenge.
    public var challenged: Bool

    public init(email: String, addressHash: Data, name: String?, birthYear: Int?, products: [String], purposes: [Purpose],
                source: String, mailboxHash: Data, domainHash: Data, challenged: Bool) {
        self.email = email
        self.addressHash = addressHash
        self.name = name
        self.birthYear = birthYear
        self.products = products
        self.purposes = purposes
        self.source = source
        self.mailboxHash = mailboxHash
        self.domainHash = domainHash
        self.challenged = challenged
    }
}

/// What recording a registration request did.
public enum RegistrationRequestOutcome: Sendable, Equatable {
    /// Stored, with its confirmation mail queued.
    case queued(requestID: Int64)
    /// Refused by a limit: nothing stored, nothing queued.
    case limited(RegistrationLimit)
}

/// A confirmation mail's outbox row names its registration request by the negative of the request's id: the
/// outbox needs a `recipient_id`, no recipient ever has a negative id, so every join with `recipients`
/// (reports, access requests, erasure, problem lists) finds nothing for it, and no request can be taken for a
/// person or a person for a request.
public enum ConfirmationJobID {
    public static func outboxRecipientID(requestID: Int64) -> Int64 { -requestID }

    /// Nil for an outbox row of a person.
    public static func requestID(outboxRecipientID: Int64) -> Int64? { outboxRecipientID < 0 ? -outboxRecipientID : nil }
}
