import Foundation

/// People, what they registered for, the consent ledger with each purpose's current state, and the
/// suppression list.
///
/// Every method is one business write or read; every write is one transaction that leaves these invariants
/// intact, whatever the backend:
/// - a ledger row and the purpose's current state change together or not at all, and repeating the current
///   state records nothing;
/// - a person is matched by the keyed hash of their address, never by the address text;
/// - a suppression keeps its reason unless a harder one comes (unsubscribed-all < erased < bounced, complaint,
///   manual); it is lifted only for the reasons the caller names;
/// - a person who exists only through a registration still waiting for its confirmation is in no audience.
public protocol ConsentStore: Sendable {
    /// Registers a person, or adds to an existing registration (new products, a given name or birth year,
    /// consent changes). When `lifting` is not empty, a suppression of the address for one of those reasons
    /// is removed in the same transaction. Registering the same person twice with the same data changes nothing.
    func register(_ new: NewRecipient, consents: [ConsentChange], lifting: Set<SuppressionReason>,
                  at now: Date) throws(StorageError) -> RecipientWrite

    /// Records consent changes for an existing person, and lifts a suppression of their address for one of the
    /// `lifting` reasons, in one transaction. Returns how many changed a purpose's state (a change to the state
    /// a purpose already has writes no ledger row).
    func applyConsents(_ changes: [ConsentChange], recipientID: Int64,
                       lifting: Set<SuppressionReason>) throws(StorageError) -> Int

    /// Consent changes for many people in one transaction (one-click unsubscribes committed as a group: one
    /// durable commit for all). Returns, for each, whether it changed the purpose's state; a change for an id
    /// nobody has changes nothing.
    func applyConsents(_ changes: [(recipientID: Int64, change: ConsentChange)]) throws(StorageError) -> [Bool]

    /// The person asked to hear nothing more: every granted purpose is revoked (ledger rows with `source`) and
    /// the address is suppressed as `unsubscribed-all`, in one transaction. Returns how many purposes were
    /// revoked; nothing is written for an id nobody has.
    func unsubscribeFromAll(recipientID: Int64, source: String, at now: Date) throws(StorageError) -> Int

    /// Writes a batch of import rows in one transaction. Idempotent: a row that matches what is stored writes
    /// nothing. An import only adds: it never revokes, never re-grants a purpose the person revoked, and never
    /// lifts a suppression; a row whose address was erased is not written at all (`ImportTally.erased`).
    func importBatch(_ rows: [ImportRow], at now: Date) throws(StorageError) -> ImportTally

    /// Adds a keyed hash to the suppression list (for addresses never registered, too). Returns false when it
    /// was there already; its first reason stays.
    func suppress(addressHash: Data, reason: SuppressionReason, at now: Date) throws(StorageError) -> Bool

    func recipient(addressHash: Data) throws(StorageError) -> Recipient?
    /// By id, as a signed link names the person.
    func recipient(id: Int64) throws(StorageError) -> Recipient?
    /// Sorted by name.
    func products(ofRecipient id: Int64) throws(StorageError) -> [String]
    /// Every product anyone registered, sorted (names of products, no one named): what a segment can pick from.
    func productNames() throws(StorageError) -> [String]
    /// One per purpose ever decided, sorted by purpose.
    func consents(ofRecipient id: Int64) throws(StorageError) -> [ConsentState]
    /// Oldest first.
    func ledger(ofRecipient id: Int64) throws(StorageError) -> [ConsentLedgerEntry]
    func suppressionReason(addressHash: Data) throws(StorageError) -> SuppressionReason?
    func recipientCount() throws(StorageError) -> Int
}

extension ConsentStore {
    /// One change; false when the purpose was already in that state.
    public func applyConsent(_ change: ConsentChange, recipientID: Int64, lifting: Set<SuppressionReason>) throws(StorageError) -> Bool {
        try applyConsents([change], recipientID: recipientID, lifting: lifting) > 0
    }
}
