/// What the last-moment check found for one recipient, right before the message goes to SMTP.
public struct SendPermission: Sendable, Equatable {
    public var recipientExists: Bool
    /// nil when no purpose was asked about.
    public var consentGranted: Bool?
    public var suppressionReason: SuppressionReason?
    /// The campaign was cancelled after this job was claimed.
    public var campaignCancelled: Bool
    /// A registration of this person waits for its confirmation (a confirmation mail has something to confirm).
    public var registrationWaiting: Bool
    /// The person is stored only because of that waiting registration: no campaign may mail them yet.
    public var onlyRegistrationWaiting: Bool

    public init(recipientExists: Bool, consentGranted: Bool?, suppressionReason: SuppressionReason?, campaignCancelled: Bool = false,
                registrationWaiting: Bool = false, onlyRegistrationWaiting: Bool = false) {
        self.recipientExists = recipientExists
        self.consentGranted = consentGranted
        self.suppressionReason = suppressionReason
        self.campaignCancelled = campaignCancelled
        self.registrationWaiting = registrationWaiting
        self.onlyRegistrationWaiting = onlyRegistrationWaiting
    }

    /// Nobody with that id is stored (erased since the job was claimed).
    public static let noRecipient = SendPermission(recipientExists: false, consentGranted: nil, suppressionReason: nil)
}
