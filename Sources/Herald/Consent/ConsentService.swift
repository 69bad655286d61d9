import Foundation
import Mail
import Store

/// The consent store as the application uses it: registration with the age gate, grants and revocations
/// recorded in the ledger, and the suppression list. Every rule is checked before anything is written.
public struct ConsentService: Sendable {
    let store: any ConsentStore
    let hasher: AddressHasher
    let clock: @Sendable () -> Date

    public init(store: any ConsentStore, hasher: AddressHasher, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
    }

    /// Registers a person (or adds to their registration). A refused registration writes nothing; an accepted
    /// one is one transaction, the lifting of a suppression its new consent allows included.
    @discardableResult
    public func register(_ registration: Registration) throws(HeraldError) -> RecipientWrite {
        let now = clock()
        let checked = try RegistrationRules.check(registration, today: CivilDate(now), hasher: hasher)
        try refuseErased(checked.recipient.addressHash)
        var recipient = checked.recipient
        recipient.firstName = try PersonName.field(PersonName.firstNameField, registration.firstName)
        for (name, value) in registration.attributes { recipient.attributes[name] = try PersonName.field(name, value) }
        let changes = checked.consents.map {
            ConsentChange(purpose: $0, granted: true, source: registration.source, noticeHash: ConsentNotice.source(registration.source), at: now)
        }
        return try storage { () throws(StorageError) in
            try store.register(recipient, consents: changes, lifting: changes.isEmpty ? [] : [.unsubscribedAll], at: now)
        }
    }

    /// An erased person comes back only by confirming an invitation themselves (`DoubleOptIn`), never because
    /// an operator, an import or the API adds them again.
    static let erasedRefusal = "this address was erased; only the person can bring it back, by confirming an invitation: herald recipients invite EMAIL sends them the mail"

    private func refuseErased(_ hash: Data) throws(HeraldError) {
        if try storage({ () throws(StorageError) in try store.suppressionReason(addressHash: hash) }) == .erased {
            throw HeraldError(.conflict, Self.erasedRefusal)
        }
    }

    /// Suppressions a new, explicit consent lifts: an erased person who registers again, or someone who once
    /// unsubscribed from everything and now asks again. Bounces, complaints and manual entries stay.
    /// (The erasure only through the person's own confirmation, `DoubleOptIn`; an operator's consent lifts only
    /// the unsubscribe-from-everything.)
    public static let liftedByExplicitConsent: Set<SuppressionReason> = [.erased, .unsubscribedAll]

    /// Grants or revokes one purpose, in one transaction. Returns false when it was already so (nothing is
    /// recorded then).
    @discardableResult
    public func setConsent(email: String, purpose: Purpose, granted: Bool, source: String) throws(HeraldError) -> Bool {
        let recipient = try existingRecipient(email)
        if granted { try refuseErased(recipient.addressHash) }
        let change = ConsentChange(purpose: purpose, granted: granted, source: source, noticeHash: granted ? ConsentNotice.source(source) : nil, at: clock())
        let changed = try storage { () throws(StorageError) in
            try store.applyConsent(change, recipientID: recipient.id!, lifting: granted ? [.unsubscribedAll] : [])
        }
        if changed, !granted { HeraldMetrics.countUnsubscribes(1, source: source) }
        return changed
    }

    /// Puts an address on the suppression list (as its keyed hash). Works for addresses never registered.
    @discardableResult
    public func suppress(email: String, reason: SuppressionReason) throws(HeraldError) -> Bool {
        let address = try RegistrationRules.address(email)
        return try storage { () throws(StorageError) in try store.suppress(addressHash: hasher.hash(address), reason: reason, at: clock()) }
    }

    /// Every product anyone registered: what a segment can pick from.
    public func productNames() throws(HeraldError) -> [String] {
        try storage { () throws(StorageError) in try store.productNames() }
    }

    /// The keyed hash the store knows an address by (for naming a person without their address, as the
    /// console's audit log does).
    public func addressHash(_ email: String) throws(HeraldError) -> Data {
        hasher.hash(try RegistrationRules.address(email))
    }

    public func existingRecipient(_ email: String) throws(HeraldError) -> Recipient {
        let address = try RegistrationRules.address(email)
        guard let recipient = try storage({ () throws(StorageError) in try store.recipient(addressHash: hasher.hash(address)) }) else {
            throw HeraldError(.notFound, "no recipient with that address is registered")
        }
        return recipient
    }
}

/// Runs a storage call and reports its failure as Herald's, keeping the database's error as the cause.
func storage<T>(_ body: () throws(StorageError) -> T) throws(HeraldError) -> T {
    do { return try body() } catch { throw HeraldError(.software, error.description, cause: error) }
}
