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

    public func unsubscribeURL(recipientID: Int64, purpose: Purpose, now: Date) -> String {
        let token = tokens.issue(TokenClaims(action: .unsubscribe, recipientID: recipientID, scope: purpose.rawValue, issuedAt: now))
        return publicURL + "/u/" + token
    }

    /// The double opt-in link of a pending registration (valid 7 days); it grants only the purposes it names.
    public func confirmURL(recipientID: Int64, purposes: [Purpose], now: Date) -> String {
        let scope = purposes.map(\.rawValue).sorted().joined(separator: ",")
        let token = tokens.issue(TokenClaims(action: .confirm, recipientID: recipientID, scope: scope, issuedAt: now))
        return publicURL + "/confirm/" + token
    }

    /// A material policy change's accept/decline page for one person and version.
    public func policyChoiceURL(recipientID: Int64, version: String, now: Date) -> String {
        let token = tokens.issue(TokenClaims(action: .policyChoice, recipientID: recipientID, scope: version, issuedAt: now))
        return publicURL + "/policy/" + token
    }

    public func preferencesURL(recipientID: Int64, now: Date) -> String {
        let token = tokens.issue(TokenClaims(action: .preferences, recipientID: recipientID, scope: "", issuedAt: now))
        return publicURL + "/preferences/" + token
    }
}
