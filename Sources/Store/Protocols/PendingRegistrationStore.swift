import Foundation

/// What recording a registration that waits for its double opt-in did.
public struct PendingRegistration: Sendable, Equatable {
    public var recipientID: Int64
    /// A confirmation mail was queued (none is, when one went out within the hour).
    public var mailQueued: Bool

    public init(recipientID: Int64, mailQueued: Bool) {
        self.recipientID = recipientID
        self.mailQueued = mailQueued
    }
}

/// Registrations that wait for the person's confirmation (double opt-in), part of the consent store.
/// Until confirmed nothing is granted: the purposes asked for wait beside the ledger, not in it.
public protocol PendingRegistrationStore: Sendable {
    /// Records a registration that waits for its confirmation, in one transaction: the person if new (address
    /// and birth year only, in no audience until confirmed), the purposes and products asked for (added to any
    /// already waiting; nothing of a stored person changes), and, unless a confirmation mail went out after
    /// `mailUnlessSince`, a confirmation job in the standing campaign of kind `confirmation`, due before any
    /// campaign's job; a new mail starts the waiting time again.
    func registerPending(_ new: NewRecipient, purposes: [Purpose], at now: Date,
                         mailUnlessSince: Date) throws(StorageError) -> PendingRegistration

    /// The purposes a registration waits with; nil when nothing waits (confirmed already, or expired).
    func pendingPurposes(recipientID: Int64) throws(StorageError) -> [Purpose]?

    /// The person confirmed the link that `named` these purposes: those of them still waiting become consents
    /// (ledger rows with `source` and the hash of the notice the person confirmed), the products asked for are added, a suppression for one of the `lifting`
    /// reasons goes, and the registration stops waiting, in one transaction. Returns the purposes granted; nil
    /// when nothing waited.
    func confirmPending(recipientID: Int64, named: Set<Purpose>, source: String, noticeHash: String?, lifting: Set<SuppressionReason>,
                        at now: Date) throws(StorageError) -> [Purpose]?

    /// Data minimisation: deletes the registrations waiting since before `cutoff`, and the people they brought
    /// in who have consented to nothing since, with everything about them. Returns how many registrations went.
    func deleteUnconfirmed(before cutoff: Date) throws(StorageError) -> Int
}
