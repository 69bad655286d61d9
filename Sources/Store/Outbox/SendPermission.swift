/// What the last-moment check found for one recipient, right before the message goes to SMTP.
public struct SendPermission: Sendable, Equatable {
    /// The person is stored; for a confirmation mail, its registration request is.
    public var recipientExists: Bool
    /// nil when no purpose was asked about.
    public var consentGranted: Bool?
    public var suppressionReason: SuppressionReason?
    /// The campaign was cancelled after this job was claimed.
    public var campaignCancelled: Bool
    /// What was found is a registration request that still waits for its confirmation (a confirmation mail has
    /// something to confirm), not a person.
    public var registrationWaiting: Bool

    public init(recipientExists: Bool, consentGranted: Bool?, suppressionReason: SuppressionReason?, campaignCancelled: Bool = false,
                registrationWaiting: Bool = false) {
        self.recipientExists = recipientExists
        self.consentGranted = consentGranted
        self.suppressionReason = suppressionReason
        self.campaignCancelled = campaignCancelled
        self.registrationWaiting = registrationWaiting
    }

    /// Nobody with that id is stored (erased since the job was claimed).
    public static let noRecipient = SendPermission(recipientExists: false, consentGranted: nil, suppressionReason: nil)
}
