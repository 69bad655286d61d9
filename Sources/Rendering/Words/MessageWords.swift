/// A campaign's own words as the catalog sets them into a template, its frame (the application's
/// `CampaignWords`, which this leaf does not know).
public struct MessageWords: Sendable, Hashable {
    public enum Format: String, Sendable, Hashable {
        case markdown, html
    }

    public var subject: String
    public var preheader: String
    public var body: String
    public var format: Format

    public init(subject: String, preheader: String, body: String, format: Format) {
        self.subject = subject
        self.preheader = preheader
        self.body = body
        self.format = format
    }

    /// Where a frame takes the words: `{{{content}}}` in its HTML and text parts (the body, as HTML and as
    /// plain text), and `{{{preheader}}}` in its HTML part. Both are Herald's own values, escaped already.
    public static let contentSlot = "{{{content}}}"
    public static let preheaderSlot = "{{{preheader}}}"
    static let slotNames: Set<String> = ["content", "preheader"]

    /// The file names problems in the words are reported under (`body:3: …`).
    public static let subjectFile = "subject", preheaderFile = "preheader", bodyFile = "body"
}
