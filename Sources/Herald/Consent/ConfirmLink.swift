import Foundation
import Store
import Tokens

/// What a double opt-in link's token says: the id of one registration request, and the purposes the link
/// grants. A confirm token from before registration requests named a person's id, with a scope of purposes
/// alone; every confirm token since has a scope that starts with `scopePrefix`, so no token can be taken for
/// another kind of id: an old link is "expired", and the action (`confirm`) keeps a request's token from being
/// used as any other link and any other link from being used as one.
enum ConfirmLink {
    static let scopePrefix = "request:"

    static func claims(requestID: Int64, purposes: [Purpose], now: Date) -> TokenClaims {
        TokenClaims(action: .confirm, recipientID: requestID,
                    scope: scopePrefix + purposes.map(\.rawValue).sorted().joined(separator: ","), issuedAt: now)
    }

    /// The request and the purposes a confirm token names; nil when the token is not a request's.
    static func request(of claims: TokenClaims) -> (requestID: Int64, purposes: Set<Purpose>)? {
        guard claims.action == .confirm, claims.scope.hasPrefix(scopePrefix), claims.recipientID > 0 else { return nil }
        let names = claims.scope.dropFirst(scopePrefix.count).split(separator: ",")
        return (claims.recipientID, Set(names.compactMap { Purpose(rawValue: String($0)) }))
    }
}
