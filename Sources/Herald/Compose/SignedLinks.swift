import Foundation
import Store
import Tokens

/// The signed links a message carries for one person: one-click unsubscribe and preferences. They need only
/// the token keys and the public URL, so a command that prints one does not load templates.
public struct SignedLinks: Sendable {
    let tokens: TokenAuthority
    let publicURL: String

    public init(tokens: TokenAuthority, publicURL: String) {
        self.tokens = tokens
        self.publicURL = publicURL
    }

    /// `campaign`: the campaign whose message carries the link, so that its report can count the unsubscribes it
    /// brought (a number per campaign; the link already names the person it acts for).
    public func unsubscribeURL(recipientID: Int64, purpose: Purpose, campaign: Int64? = nil, now: Date) -> String {
        let scope = purpose.rawValue + (campaign.map { Self.campaignSeparator + String($0) } ?? "")
        let token = tokens.issue(TokenClaims(action: .unsubscribe, recipientID: recipientID, scope: scope, issuedAt: now))
        return publicURL + "/u/" + token
    }

    /// Between an unsubscribe scope's purpose and its campaign: `promotions:42`.
    static let campaignSeparator = ":"

    /// The double opt-in link of one registration request (valid 7 days); it grants only the purposes it names.
    /// The token's id is the request's, never a person's (`ConfirmLink`).
    public func confirmURL(requestID: Int64, purposes: [Purpose], now: Date) -> String {
        publicURL + "/confirm/" + tokens.issue(ConfirmLink.claims(requestID: requestID, purposes: purposes, now: now))
    }

    /// A material policy change's accept/decline page for one person and version.
    public func policyChoiceURL(recipientID: Int64, version: String, now: Date) -> String {
        let token = tokens.issue(TokenClaims(action: .policyChoice, recipientID: recipientID, scope: version, issuedAt: now))
        return publicURL + "/policy/" + token
    }

    /// The preferences page. A mail's own link (`limited` false) may grant as well as withdraw; one handed out
    /// by the unsubscribe page (`limited`, scope `withdraw-only`) comes from a URL that mailbox providers,
    /// security gateways and anyone the mail was forwarded to have seen, so a purpose chosen there is only asked
    /// for, by a confirmation mail to the person's own inbox.
    public func preferencesURL(recipientID: Int64, now: Date, limited: Bool = false) -> String {
        let scope = limited ? Self.withdrawOnlyScope : ""
        let token = tokens.issue(TokenClaims(action: .preferences, recipientID: recipientID, scope: scope, issuedAt: now))
        return publicURL + "/preferences/" + token
    }

    /// The scope of a preferences token that may only withdraw.
    public static let withdrawOnlyScope = "withdraw-only"
}
