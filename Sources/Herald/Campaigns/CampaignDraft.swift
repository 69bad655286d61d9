import Foundation
import Store

/// What a new campaign is made of: its kind, its frame (a template of that kind; nil: the kind's own), its words
/// (nil: the template's own), its audience, and when it goes (a draft: not until it is scheduled).
public struct CampaignDraft: Sendable {
    public var kind: CampaignKind
    public var template: String?
    public var words: CampaignWords?
    public var segment: Segment?
    public var at: Date?
    public var name: String?
    public var draft: Bool

    public init(kind: CampaignKind, template: String? = nil, words: CampaignWords? = nil, segment: Segment? = nil, at: Date? = nil,
                name: String? = nil, draft: Bool = false) {
        self.kind = kind
        self.template = template
        self.words = words
        self.segment = segment
        self.at = at
        self.name = name
        self.draft = draft
    }
}

/// Changes to a campaign that has not started; nil leaves a value as it is.
public struct CampaignChanges: Sendable {
    public var name: String?
    public var template: String?
    public var subject: String?
    public var preheader: String?
    public var body: String?
    public var format: BodyFormat?
    /// `.some(nil)`: no segment (everyone who agreed).
    public var segment: Segment??
    public var at: Date?

    public init(name: String? = nil, template: String? = nil, subject: String? = nil, preheader: String? = nil, body: String? = nil,
                format: BodyFormat? = nil, segment: Segment?? = nil, at: Date? = nil) {
        self.name = name
        self.template = template
        self.subject = subject
        self.preheader = preheader
        self.body = body
        self.format = format
        self.segment = segment
        self.at = at
    }

    /// The words after these changes; a campaign without words of its own gets them only with a subject and a body.
    func words(from current: CampaignWords?) throws(HeraldError) -> CampaignWords? {
        guard subject != nil || preheader != nil || body != nil || format != nil else { return current }
        guard let subject = subject ?? current?.subject, let body = body ?? current?.body else {
            throw HeraldError(.usage, "a campaign's own words need both a subject and a body")
        }
        return CampaignWords(subject: subject, preheader: preheader ?? current?.preheader ?? "", body: body,
                             format: format ?? current?.format ?? .markdown)
    }
}
