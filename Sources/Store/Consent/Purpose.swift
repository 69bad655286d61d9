/// What a person may consent to. Policy-change notices need no purpose: everyone stored gets them.
public enum Purpose: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case productNews = "product-news"
    case promotions = "promotions"
}

/// Why an address is on the suppression list. Which of them a person's own new consent may lift is the
/// application's rule (`ConsentService`); the store only records and lifts what it is told.
public enum SuppressionReason: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// The person unsubscribed from everything (the preferences page).
    case unsubscribedAll = "unsubscribed-all"
    /// A permanent SMTP refusal (5xx).
    case bounced
    /// A spam complaint (feedback loop).
    case complaint
    /// An operator's `herald suppress`.
    case manual
    /// The person was erased; only the keyed hash is left.
    case erased
}

// Printed as stored and as typed: `product-news`, never the case name.
extension Purpose { public var description: String { rawValue } }
extension SuppressionReason { public var description: String { rawValue } }
