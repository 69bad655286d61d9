import Foundation

/// What a token says: who it acts for, what it may do, and when it was issued. Never the address.
public struct TokenClaims: Sendable, Equatable {
    public enum Action: UInt8, Sendable, CaseIterable {
        /// One-click unsubscribe from `scope` (a purpose). Lives while the mail carrying it may sit in inboxes.
        case unsubscribe = 1
        /// Double opt-in confirmation of a registration.
        case confirm = 2
        /// Accepting or declining a policy version (`scope`).
        case policyChoice = 3
        /// Seeing and changing one's purposes.
        case preferences = 4

        /// How long a token of this action stays valid after it was issued.
        public var lifetime: TimeInterval {
            switch self {
            case .unsubscribe, .preferences: 2 * 366 * 86_400
            case .confirm: 7 * 86_400
            case .policyChoice: 366 * 86_400
            }
        }
    }

    public var action: Action
    public var recipientID: Int64
    /// The purpose, campaign or policy version the token is limited to.
    public var scope: String
    /// Whole seconds since 1970.
    public var issuedAt: Date

    public init(action: Action, recipientID: Int64, scope: String, issuedAt: Date) {
        self.action = action
        self.recipientID = recipientID
        self.scope = scope
        self.issuedAt = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
    }
}
