import Foundation
import Store
import Tokens

/// What a person can do with the signed links in their mail, with no login: one-click unsubscribe and the
/// preferences page. The token is the only authority: it names the person (by id, never the address) and,
/// for one-click, the purpose; nothing else a request carries is trusted.
///
/// A token that is not Herald's (malformed, forged, tampered, for another action) is bad input; one Herald
/// signed but no longer honours (expired, or its key retired) is not found. Either way nothing changes.
public struct RecipientLinks: Sendable {
    public struct PurposeState: Sendable, Equatable {
        public var purpose: Purpose
        public var granted: Bool
    }

    public struct Preferences: Sendable, Equatable {
        /// Every purpose Herald knows, in a fixed order, with the person's current choice (never asked: false).
        public var purposes: [PurposeState]
        /// The person asked for no mail at all (suppressed as `unsubscribed-all`).
        public var unsubscribedFromAll: Bool
        /// Suppressed for another reason (a bounce, a complaint, an operator): no mail goes out whatever is chosen.
        public var blocked: Bool
        /// The link may only withdraw (it came from an unsubscribe link): a purpose chosen is asked for by mail.
        public var withdrawOnly: Bool = false
        /// Purposes chosen on a withdraw-only page, for which a confirmation mail was asked (none if a limit on
        /// confirmation mails was reached; the page says the same either way).
        public var confirmationAsked: [Purpose] = []
    }

    /// The ledger's source for a one-click unsubscribe, and for changes made on the preferences page.
    public static let oneClickSource = "one-click"
    public static let preferencesSource = "preferences"

    /// What an unsubscribe link acts on, and where the same person's preferences are.
    public struct UnsubscribeTarget: Sendable, Equatable {
        public var recipientID: Int64
        public var purpose: Purpose
        public var preferencesURL: String
        /// The campaign whose message carried the link (links made before campaigns were named carry none).
        public var campaignID: Int64?
    }

    let tokens: TokenAuthority
    let signed: SignedLinks
    let store: any ConsentStore
    let clock: @Sendable () -> Date
    /// Asks a person, by mail, to confirm purposes chosen on a withdraw-only page.
    let askConfirmation: @Sendable (Recipient, [Purpose]) throws(HeraldError) -> Void

    public init(tokens: TokenAuthority, publicURL: String, store: any ConsentStore, clock: @escaping @Sendable () -> Date,
                askConfirmation: @escaping @Sendable (Recipient, [Purpose]) throws(HeraldError) -> Void) {
        self.tokens = tokens
        self.signed = SignedLinks(tokens: tokens, publicURL: publicURL)
        self.store = store
        self.clock = clock
        self.askConfirmation = askConfirmation
    }

    /// What an unsubscribe link is for, without changing anything (the page a GET shows, and the check before a
    /// one-click revocation, which `OneClickCommitter` then commits with others).
    public func unsubscribeTarget(token: String) throws(HeraldError) -> UnsubscribeTarget {
        let claims = try verify(token, .unsubscribe)
        // The unsubscribe URL is seen by more than the person (see `SignedLinks.preferencesURL`): what it leads
        // to may withdraw, never grant.
        return UnsubscribeTarget(recipientID: claims.recipientID, purpose: try purpose(of: claims),
                                 preferencesURL: signed.preferencesURL(recipientID: claims.recipientID, now: clock(), limited: true),
                                 campaignID: Self.campaign(of: claims))
    }

    public func preferences(token: String) throws(HeraldError) -> Preferences {
        let claims = try verify(token, .preferences)
        var preferences = try preferences(of: claims.recipientID)
        preferences.withdrawOnly = claims.scope == SignedLinks.withdrawOnlyScope
        return preferences
    }

    /// Sets every purpose to what the page says (`granted`: the ticked ones), in one transaction. Choosing a
    /// purpose again after unsubscribing from everything is the person's own act, so it lifts that
    /// suppression; a bounce, complaint or operator's suppression stays.
    /// `notice`: the words the page showed (`ConsentNotice.preferences`); the ledger keeps their hash.
    ///
    /// From a withdraw-only link, only withdrawals are applied; the purposes newly chosen are asked for by a
    /// confirmation mail instead (and an unsubscribe-from-everything stays until that is confirmed).
    public func savePreferences(token: String, granted: Set<Purpose>, notice: String) throws(HeraldError) -> Preferences {
        let claims = try verify(token, .preferences)
        let id = claims.recipientID
        let withdrawOnly = claims.scope == SignedLinks.withdrawOnlyScope
        let current = try preferences(of: id)
        let now = clock()
        var changes = current.purposes.filter { granted.contains($0.purpose) != $0.granted }.map {
            ConsentChange(purpose: $0.purpose, granted: granted.contains($0.purpose), source: Self.preferencesSource,
                          noticeHash: ConsentNotice.hash(notice), at: now)
        }
        var asked: [Purpose] = []
        if withdrawOnly {
            asked = changes.filter(\.granted).map(\.purpose)
            changes = changes.filter { !$0.granted }
        }
        let lifting: Set<SuppressionReason> = granted.isEmpty || withdrawOnly ? [] : [.unsubscribedAll]
        _ = try storage { () throws(StorageError) in
            try store.applyConsents(changes, recipientID: id, lifting: lifting)
        }
        HeraldMetrics.countUnsubscribes(changes.filter { !$0.granted }.count, source: Self.preferencesSource)
        if withdrawOnly, current.unsubscribedFromAll, !granted.isEmpty { asked = Array(granted).sorted { $0.rawValue < $1.rawValue } }
        // The withdrawals above are committed; a failure to queue the mail must not hide that behind an error page.
        if !asked.isEmpty, let recipient = try? storage({ () throws(StorageError) in try store.recipient(id: id) }) {
            do { try askConfirmation(recipient, asked) } catch { asked = [] }
        }
        var saved = try preferences(of: id)
        saved.withdrawOnly = withdrawOnly
        saved.confirmationAsked = asked
        return saved
    }

    /// Revokes everything and suppresses the address (`unsubscribed-all`), in one transaction.
    public func unsubscribeFromAll(token: String) throws(HeraldError) -> Preferences {
        let claims = try verify(token, .preferences)
        let id = claims.recipientID
        _ = try preferences(of: id)  // nobody to unsubscribe is "not found", as on the page itself
        let revoked = try storage { () throws(StorageError) in try store.unsubscribeFromAll(recipientID: id, source: Self.preferencesSource, at: clock()) }
        HeraldMetrics.countUnsubscribes(revoked, source: Self.preferencesSource)
        var preferences = try preferences(of: id)
        preferences.withdrawOnly = claims.scope == SignedLinks.withdrawOnlyScope
        return preferences
    }

    private func preferences(of id: Int64) throws(HeraldError) -> Preferences {
        guard let recipient = try storage({ () throws(StorageError) in try store.recipient(id: id) }) else {
            throw HeraldError(.notFound, "nothing is stored for this link any more")
        }
        let states = try storage { () throws(StorageError) in try store.consents(ofRecipient: id) }
        let reason = try storage { () throws(StorageError) in try store.suppressionReason(addressHash: recipient.addressHash) }
        return Preferences(
            purposes: Purpose.allCases.map { purpose in PurposeState(purpose: purpose, granted: states.first { $0.purpose == purpose }?.granted ?? false) },
            unsubscribedFromAll: reason == .unsubscribedAll, blocked: reason != nil && reason != .unsubscribedAll)
    }

    private func verify(_ token: String, _ action: TokenClaims.Action) throws(HeraldError) -> TokenClaims {
        try tokens.verifyLink(token, expecting: action, now: clock())
    }

    /// `promotions`, or `promotions:42` from a campaign's message.
    private func purpose(of claims: TokenClaims) throws(HeraldError) -> Purpose {
        let name = claims.scope.split(separator: Character(SignedLinks.campaignSeparator), maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard let purpose = Purpose(rawValue: String(name)) else { throw HeraldError(.dataError, "this link is not valid") }
        return purpose
    }

    private static func campaign(of claims: TokenClaims) -> Int64? {
        let parts = claims.scope.split(separator: Character(SignedLinks.campaignSeparator), maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? Int64(parts[1]).flatMap { $0 > 0 ? $0 : nil } : nil
    }
}

extension TokenAuthority {
    /// A link's token, as the web face judges it: not Herald's (malformed, forged, tampered, another action) is
    /// bad input; signed but no longer honoured (expired, its key retired) is not found.
    func verifyLink(_ token: String, expecting action: TokenClaims.Action, now: Date) throws(HeraldError) -> TokenClaims {
        do { return try verify(token, expecting: action, now: now) } catch {
            switch error.code {
            case .expired, .unknownKey: throw HeraldError(.notFound, "this link has expired or is no longer valid")
            default: throw HeraldError(.dataError, "this link is not valid")
            }
        }
    }
}
