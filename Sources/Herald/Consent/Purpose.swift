import Foundation

/// What a person may consent to. Policy-change notices need no purpose: everyone stored gets them.
public enum Purpose: String, Sendable, CaseIterable, Codable {
    case productNews = "product-news"
    case promotions = "promotions"

    public static func parse(_ text: String) throws(HeraldError) -> Purpose {
        guard let purpose = Purpose(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw HeraldError(.usage, "unknown purpose '\(text)'; purposes are \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return purpose
    }
}

/// The three kinds of mail Herald sends, and the consent each needs.
public enum CampaignKind: String, Sendable, CaseIterable, Codable {
    case productNews = "product-news"
    case promotion = "promotion"
    case policyChange = "policy-change"

    /// nil: a legal notice that goes to everyone stored (suppression for bounces and erasure still applies).
    public var purpose: Purpose? {
        switch self {
        case .productNews: .productNews
        case .promotion: .promotions
        case .policyChange: nil
        }
    }

    public static func parse(_ text: String) throws(HeraldError) -> CampaignKind {
        guard let kind = CampaignKind(rawValue: text) else {
            throw HeraldError(.usage, "unknown campaign kind '\(text)'; kinds are \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }
}
