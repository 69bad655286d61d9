import Foundation
import Mail
import Store
import Tokens

/// Registration with double opt-in (the web form, `herald recipients invite`): each submission waits as a
/// registration request of its own, with nothing about any person stored, until someone follows the link in
/// its confirmation mail; only that makes or changes a person, and only that lifts an erasure or an
/// unsubscribe-from-everything. The answer never says whether the address was known, and a child under 13 is
/// refused before anything is written anywhere.
///
/// The public form is limited (`RegistrationLimits`, from `register.limits.*`): confirmation mails per hour to
/// one mailbox (`MailboxKey`), to one domain, in all, and in all without a solved challenge. Past a limit
/// nothing is stored or sent, and the caller gives the same answer as ever. An operator's invitation is not
/// limited, nor counted: the command is the operator's own, and must not eat the public form's allowance.
public struct DoubleOptIn: Sendable {
    /// How long a request waits for its confirmation before it is deleted (and its link expires), from when it
    /// was made: nothing extends it.
    public static let window: TimeInterval = TokenClaims.Action.confirm.lifetime
    /// The ledger's source for a confirmed registration.
    public static let source = "form"

    /// What became of a registration that passed its checks; every case gets the same answer.
    public enum Answer: Sendable, Equatable {
        /// Waiting, with its confirmation mail queued.
        case queued
        /// The address takes no mail at all (bounced, complained, suppressed by an operator): nothing stored.
        case suppressed
        /// Refused by a limit: nothing stored or sent (counted in `herald_registrations_limited_total`).
        case limited(RegistrationLimit)

        public var mailQueued: Bool { self == .queued }
    }

    let store: any ConsentStore & PendingRegistrationStore
    let hasher: AddressHasher
    let tokens: TokenAuthority
    let limits: RegistrationLimits
    let clock: @Sendable () -> Date

    public init(store: any ConsentStore & PendingRegistrationStore, hasher: AddressHasher, tokens: TokenAuthority,
                limits: RegistrationLimits = RegistrationLimits(), clock: @escaping @Sendable () -> Date) {
        self.store = store
        self.hasher = hasher
        self.tokens = tokens
        self.limits = limits
        self.clock = clock
    }

    /// A registration from the public form: checked (a refused one writes nothing), then, within the limits,
    /// recorded as a request of its own with its confirmation mail queued. `challenged`: the submission came
    /// with a solved proof-of-work challenge.
    @discardableResult
    public func request(_ registration: Registration, challenged: Bool) throws(HeraldError) -> Answer {
        try record(registration, challenged: challenged, limits: limits)
    }

    /// An operator's invitation (`herald recipients invite`): as `request`, without the public form's limits.
    @discardableResult
    public func invite(_ registration: Registration) throws(HeraldError) -> Answer {
        try record(registration, challenged: true, limits: nil)
    }

    private func record(_ registration: Registration, challenged: Bool, limits: RegistrationLimits?) throws(HeraldError) -> Answer {
        let now = clock()
        // Every check that an adult's registration could fail comes before the age gate (see `check`).
        guard !registration.consents.isEmpty else { throw HeraldError(.dataError, "choose at least one kind of mail to receive") }
        let checked = try RegistrationRules.check(registration, today: CivilDate(now), hasher: hasher)
        let suppression = try storage { () throws(StorageError) in try store.suppressionReason(addressHash: checked.recipient.addressHash) }
        // A bounced, complained or operator-suppressed address gets no mail at all, confirmation included; the
        // answer stays the same, so nobody learns that.
        if let suppression, !ConsentService.liftedByExplicitConsent.contains(suppression) { return .suppressed }
        let hashes = hasher.hash(MailboxKey(try RegistrationRules.address(registration.email)))
        let new = checked.recipient
        let request = NewRegistrationRequest(email: new.email, addressHash: new.addressHash, name: new.name, birthYear: new.birthYear,
                                             products: new.products, purposes: checked.consents, source: new.source,
                                             mailboxHash: hashes.mailbox, domainHash: hashes.domain, challenged: challenged)
        switch try storage({ () throws(StorageError) in try store.requestRegistration(request, limits: limits, at: now) }) {
        case .queued: return .queued
        case .limited(let limit):
            HeraldMetrics.countLimitedRegistration(limit)
            return .limited(limit)
        }
    }

    /// What a confirmation link would grant, without granting it (the page a GET shows).
    public func pending(token: String) throws(HeraldError) -> [Purpose] {
        let (id, named) = try verify(token)
        guard let purposes = try storage({ () throws(StorageError) in try store.pendingPurposes(requestID: id) })?.filter(named.contains),
              !purposes.isEmpty else {
            throw Self.nothingWaits
        }
        return purposes
    }

    /// The person confirmed: the request's person is found or made, its purposes that the link named are
    /// granted (source `form`), its products added, and an erasure or unsubscribe-from-all suppression of its
    /// address lifted, in one transaction; the request is then gone.
    /// `notice`: the words the confirmation page showed for these purposes (`ConsentNotice.confirmation`).
    @discardableResult
    public func confirm(token: String, notice: ([Purpose]) throws(HeraldError) -> String) throws(HeraldError) -> [Purpose] {
        let (id, named) = try verify(token)
        let waiting = try storage { () throws(StorageError) in try store.pendingPurposes(requestID: id) } ?? []
        let noticeHash = ConsentNotice.hash(try notice(waiting.filter(named.contains)))
        guard let purposes = try storage({ () throws(StorageError) in
            try store.confirmPending(requestID: id, named: named, source: Self.source, noticeHash: noticeHash,
                                     lifting: ConsentService.liftedByExplicitConsent, at: clock())
        }) else {
            throw Self.nothingWaits
        }
        return purposes
    }

    /// When the request a valid link names was confirmed, if it was (recently): its link, opened again, says so.
    /// Only a link Herald signed gets this answer, so nobody learns anything of an address they do not receive.
    public func confirmedAt(token: String) throws(HeraldError) -> Date? {
        let (id, _) = try verify(token)
        return try storage { () throws(StorageError) in try store.confirmedAt(requestID: id) }
    }

    /// Deletes the requests nobody confirmed within the window of their making.
    @discardableResult
    public func deleteUnconfirmed() throws(HeraldError) -> Int {
        try storage { () throws(StorageError) in try store.deleteUnconfirmed(before: clock().addingTimeInterval(-Self.window)) }
    }

    private static let nothingWaits = HeraldError(.notFound, "nothing waits for confirmation: it was confirmed already, or it expired")

    /// The request and the purposes the link names (it grants those and no others). A confirm token that
    /// names no request (one from before requests) is as good as expired.
    private func verify(_ token: String) throws(HeraldError) -> (Int64, Set<Purpose>) {
        guard let request = ConfirmLink.request(of: try tokens.verifyLink(token, expecting: .confirm, now: clock())) else {
            throw HeraldError(.notFound, "this link has expired or is no longer valid")
        }
        return request
    }
}

extension HeraldConfiguration.Register {
    /// The public form's limits on confirmation mails (`register.limits.*`), per rolling hour.
    public var limits: RegistrationLimits {
        RegistrationLimits(perMailbox: perMailbox, perDomain: perDomain, total: total, withoutChallenge: withoutChallenge)
    }
}
