import Foundation
import Mail
import Store
import Tokens

/// Registration with double opt-in (the web form, `herald recipients invite`): a registration waits, with
/// nothing granted, until the person follows the link in the confirmation mail; only that lifts an erasure or
/// an unsubscribe-from-everything. The answer never says whether the address was known, and a child under 13 is
/// refused before anything is written anywhere.
public struct DoubleOptIn: Sendable {
    /// At most one confirmation mail per address in this long.
    public static let mailInterval: TimeInterval = 3600
    /// How long a registration waits for its confirmation before it is deleted (and the link expires).
    public static let window: TimeInterval = TokenClaims.Action.confirm.lifetime
    /// The ledger's source for a confirmed registration.
    public static let source = "form"

    let store: any ConsentStore & PendingRegistrationStore
    let hasher: AddressHasher
    let tokens: TokenAuthority
    let clock: @Sendable () -> Date

    public init(store: any ConsentStore & PendingRegistrationStore, hasher: AddressHasher, tokens: TokenAuthority,
                clock: @escaping @Sendable () -> Date) {
        self.store = store
        self.hasher = hasher
        self.tokens = tokens
        self.clock = clock
    }

    /// Checks the registration (a refused one writes nothing), records it as waiting and queues its
    /// confirmation mail. Returns whether a mail was queued (none when one went out within the hour).
    @discardableResult
    public func request(_ registration: Registration) throws(HeraldError) -> Bool {
        let now = clock()
        // Every check that an adult's registration could fail comes before the age gate (see `check`).
        guard !registration.consents.isEmpty else { throw HeraldError(.dataError, "choose at least one kind of mail to receive") }
        let checked = try RegistrationRules.check(registration, today: CivilDate(now), hasher: hasher)
        let suppression = try storage { () throws(StorageError) in try store.suppressionReason(addressHash: checked.recipient.addressHash) }
        // A bounced, complained or operator-suppressed address gets no mail at all, confirmation included; the
        // answer stays the same, so nobody learns that.
        if let suppression, !ConsentService.liftedByExplicitConsent.contains(suppression) { return false }
        let pending = try storage { () throws(StorageError) in
            try store.registerPending(checked.recipient, purposes: checked.consents, at: now,
                                      mailUnlessSince: now.addingTimeInterval(-Self.mailInterval))
        }
        return pending.mailQueued
    }

    /// What a confirmation link would grant, without granting it (the page a GET shows).
    public func pending(token: String) throws(HeraldError) -> [Purpose] {
        let (id, named) = try verify(token)
        guard let purposes = try storage({ () throws(StorageError) in try store.pendingPurposes(recipientID: id) })?.filter(named.contains),
              !purposes.isEmpty else {
            throw HeraldError(.notFound, "nothing waits for confirmation: it was confirmed already, or it expired")
        }
        return purposes
    }

    /// The person confirmed: their purposes are granted (source `form`) and an erasure or unsubscribe-from-all
    /// suppression of their address is lifted, in one transaction.
    /// `notice`: the words the confirmation page showed for these purposes (`ConsentNotice.confirmation`).
    @discardableResult
    public func confirm(token: String, notice: ([Purpose]) throws(HeraldError) -> String) throws(HeraldError) -> [Purpose] {
        let (id, named) = try verify(token)
        let waiting = try storage { () throws(StorageError) in try store.pendingPurposes(recipientID: id) } ?? []
        let noticeHash = ConsentNotice.hash(try notice(waiting.filter(named.contains)))
        guard let purposes = try storage({ () throws(StorageError) in
            try store.confirmPending(recipientID: id, named: named, source: Self.source, noticeHash: noticeHash,
                                     lifting: ConsentService.liftedByExplicitConsent, at: clock())
        }) else {
            throw HeraldError(.notFound, "nothing waits for confirmation: it was confirmed already, or it expired")
        }
        return purposes
    }

    /// Deletes the registrations nobody confirmed within the window.
    @discardableResult
    public func deleteUnconfirmed() throws(HeraldError) -> Int {
        try storage { () throws(StorageError) in try store.deleteUnconfirmed(before: clock().addingTimeInterval(-Self.window)) }
    }

    /// The person and the purposes the link names (it grants those and no others).
    private func verify(_ token: String) throws(HeraldError) -> (Int64, Set<Purpose>) {
        let claims = try tokens.verifyLink(token, expecting: .confirm, now: clock())
        return (claims.recipientID, Set(claims.scope.split(separator: ",").compactMap { Purpose(rawValue: String($0)) }))
    }
}
