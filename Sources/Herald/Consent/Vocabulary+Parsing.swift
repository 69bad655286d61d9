import Store

// The store's vocabulary, parsed from what an operator types: one line naming what was expected.

extension Purpose {
    public static func parse(_ text: String) throws(HeraldError) -> Purpose {
        guard let purpose = Purpose(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw HeraldError(.usage, "unknown purpose '\(text)'; purposes are \(names(of: allCases))")
        }
        return purpose
    }
}

extension Purpose {
    /// How the purpose reads in a sentence, in mail and on the pages ("You will no longer receive …").
    public var phrase: String {
        switch self {
        case .productNews: "news about the products you registered"
        case .promotions: "events and promotions"
        }
    }
}

extension CampaignKind {
    public static func parse(_ text: String) throws(HeraldError) -> CampaignKind {
        guard let kind = CampaignKind(rawValue: text), operatorKinds.contains(kind) else {
            throw HeraldError(.usage, "unknown campaign kind '\(text)'; kinds are \(names(of: operatorKinds))")
        }
        return kind
    }
}

extension SuppressionReason {
    public static func parse(_ text: String) throws(HeraldError) -> SuppressionReason {
        guard let reason = SuppressionReason(rawValue: text) else {
            throw HeraldError(.usage, "unknown reason '\(text)'; reasons are \(names(of: allCases))")
        }
        return reason
    }
}

func names<Value: RawRepresentable>(of values: [Value]) -> String where Value.RawValue == String {
    values.map(\.rawValue).joined(separator: ", ")
}
