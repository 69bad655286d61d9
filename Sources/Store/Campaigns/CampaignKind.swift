/// The kinds of mail Herald sends, and the consent each needs. The template catalog checks its
/// `template.yaml` kinds against these names.
public enum CampaignKind: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case productNews = "product-news"
    case promotion = "promotion"
    case policyChange = "policy-change"
    /// A registration's double opt-in mail. Herald sends it itself, one person at a time, through one standing
    /// campaign of this kind that never finishes; an operator cannot create one.
    case confirmation = "confirmation"

    /// nil: mail that needs no consent — a legal notice that goes to everyone stored, or the confirmation a
    /// person just asked for (suppression for bounces still applies).
    public var purpose: Purpose? {
        switch self {
        case .productNews: .productNews
        case .promotion: .promotions
        case .policyChange, .confirmation: nil
        }
    }

    /// Suppressions this kind of mail goes out despite: a policy notice is not marketing, so unsubscribing from
    /// everything does not stop it; a bounce, a complaint, an erasure or an operator's suppression does.
    public var sentDespite: Set<SuppressionReason> {
        self == .policyChange ? [.unsubscribedAll] : []
    }

    /// Kinds an operator may create campaigns of.
    public static let operatorKinds: [CampaignKind] = [.productNews, .promotion, .policyChange]
}

/// Where a campaign is: `draft` (saved, not to be sent until scheduled), `scheduled` (waiting for `dueAt`) → `sending` (its outbox rows exist) → `done`
/// (none left to try), or `cancelled` from either of the first two, or `failed` when it starts: its template
/// could not render every shape of message it would send (`Campaign.problem`), so nobody got one. `campaign
/// retry` takes a `done` campaign back to `sending`.
public enum CampaignStatus: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case draft, scheduled, sending, done, cancelled, failed

    /// Only a campaign that has started can be retried; a failed one is scheduled again (and its templates
    /// rehearsed again when it starts).
    public var isRetryable: Bool { self == .sending || self == .done || self == .failed }
}

// Printed as stored and as typed: `policy-change`, never the case name.
extension CampaignKind { public var description: String { rawValue } }
extension CampaignStatus { public var description: String { rawValue } }
