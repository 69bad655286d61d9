import Foundation
import Mail
import Storage

/// The consent store as the application uses it: registration with the age gate, grants and revocations
/// recorded in the ledger, and the suppression list. Every rule is checked before anything is written.
public struct ConsentService: Sendable {
    let store: HeraldStore
    let hasher: AddressHasher
    let clock: @Sendable () -> Date

    public init(store: HeraldStore, hasher: AddressHasher, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
    }

    /// Registers a person (or adds to their registration). A refused registration writes nothing.
    @discardableResult
    public func register(_ registration: Registration) throws(HeraldError) -> RecipientWrite {
        let now = clock()
        let address = try RegistrationRules.address(registration.email)
        let birthYear = try registration.birthdate.map { (text) throws(HeraldError) in try RegistrationRules.birthYear(text, today: now) }
        var products: [String] = []
        for product in registration.products { products.append(try RegistrationRules.product(product)) }
        let new = NewRecipient(email: address.normalized, addressHash: hasher.hash(address),
                               name: try RegistrationRules.name(registration.name), birthYear: birthYear,
                               products: Array(Set(products)).sorted(), source: registration.source)
        let changes = Set(registration.consents).sorted { $0.rawValue < $1.rawValue }.map {
            ConsentChange(purpose: $0.rawValue, granted: true, source: registration.source, at: now)
        }
        let written = try storage { () throws(StorageError) in try store.register(new, consents: changes, at: now) }
        if !changes.isEmpty { try liftOnNewConsent(address) }
        return written
    }

    /// Suppressions a new, explicit consent lifts: an erased person who registers again, or someone who once
    /// unsubscribed from everything and now asks again. Bounces, complaints and manual entries stay.
    public static let liftedByExplicitConsent: Set<String> = ["erased", "unsubscribed-all"]

    private func liftOnNewConsent(_ address: EmailAddress) throws(HeraldError) {
        _ = try storage { () throws(StorageError) in
            try store.liftSuppression(addressHash: hasher.hash(address), reasons: Self.liftedByExplicitConsent)
        }
    }

    /// Grants or revokes one purpose. Returns false when it was already so (nothing is recorded then).
    @discardableResult
    public func setConsent(email: String, purpose: Purpose, granted: Bool, source: String) throws(HeraldError) -> Bool {
        let recipient = try existingRecipient(email)
        let change = ConsentChange(purpose: purpose.rawValue, granted: granted, source: source, at: clock())
        let changed = try storage { () throws(StorageError) in try store.applyConsent(change, recipientID: recipient.id!) }
        if granted { try liftOnNewConsent(try RegistrationRules.address(email)) }
        return changed
    }

    /// Puts an address on the suppression list (as its keyed hash). Works for addresses never registered.
    @discardableResult
    public func suppress(email: String, reason: String) throws(HeraldError) -> Bool {
        let address = try RegistrationRules.address(email)
        return try storage { () throws(StorageError) in try store.suppress(addressHash: hasher.hash(address), reason: reason, at: clock()) }
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
