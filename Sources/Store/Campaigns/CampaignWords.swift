import Foundation

/// How a campaign's body is written.
public enum BodyFormat: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// CommonMark (with GitHub's tables, strikethrough and autolinks); raw HTML in it is left out.
    case markdown
    /// HTML, as written; its text part is made from it.
    case html

    public var description: String { rawValue }
}

/// The words a campaign brings into its template (the kind's frame): the subject, an optional preheader (the line
/// mail clients show after the subject), and the body. Each may use the message's variables (`{{first_name}}`,
/// `{{attributes.NAME}}`), checked as strictly as templates are. The frame keeps what the law and the product
/// require: the unsubscribe and preferences links, the postal address, a promotion's ADVERTISEMENT line.
public struct CampaignWords: Codable, Sendable, Hashable {
    public var subject: String
    public var preheader: String
    public var body: String
    public var format: BodyFormat

    public init(subject: String, preheader: String = "", body: String, format: BodyFormat = .markdown) {
        self.subject = subject
        self.preheader = preheader
        self.body = body
        self.format = format
    }

    /// Limits that keep one campaign's words from costing every message (and every preview) without bound.
    public static let maxSubjectBytes = 998 - "Subject: ".utf8.count
    public static let maxPreheaderBytes = 1_000
    public static let maxBodyBytes = 256 * 1024
}

/// A named, reusable audience: its segment expression (`product:kronos,attribute:country=DE`).
public struct SavedSegment: Codable, Sendable, Equatable {
    public var name: String
    public var expression: String
    public var savedAt: Date

    public init(name: String, expression: String, savedAt: Date) {
        self.name = name
        self.expression = expression
        self.savedAt = savedAt
    }
}

extension CampaignWords {
    /// The words as a store keeps them, in four columns; nil when the campaign uses its template's own. A
    /// format this version does not know is an error, never a silent default.
    public static func stored(subject: String?, preheader: String?, body: String?, format: String?) throws(StorageError) -> CampaignWords? {
        guard let subject, let body else { return nil }
        guard let parsed = BodyFormat(rawValue: format ?? BodyFormat.markdown.rawValue) else {
            throw StorageError(message: "campaigns.body_format holds '\(format ?? "")', which this version of Herald does not know")
        }
        return CampaignWords(subject: subject, preheader: preheader ?? "", body: body, format: parsed)
    }
}
