import Foundation
import Rendering
import Store

extension CampaignService {
    /// Changes a draft, or a scheduled campaign that has not started (a conflict once it has: its messages are
    /// being sent as they were). The result is rehearsed like a new campaign before it is stored.
    public func edit(id: Int64, _ changes: CampaignChanges, catalog: TemplateCatalog) throws(HeraldError) -> CampaignReport {
        var campaign = try editable(id, doing: "edited")
        campaign.words = try changes.words(from: campaign.words)
        if let template = changes.template { campaign.template = template }
        if let name = changes.name { campaign.name = Self.oneLine(name) }
        if let segment = changes.segment {
            if let segment { try check(segment) }
            campaign.segment = segment?.description
        }
        if let at = changes.at { campaign.dueAt = at }
        return try save(campaign, from: campaign.status, catalog: catalog, doing: "edited")
    }

    /// Schedules a draft (or moves a scheduled campaign) to `at`, or now.
    public func schedule(id: Int64, at: Date?, catalog: TemplateCatalog) throws(HeraldError) -> CampaignReport {
        var campaign = try editable(id, doing: "scheduled")
        let from = campaign.status
        campaign.status = .scheduled
        campaign.dueAt = at ?? clock()
        return try save(campaign, from: from, catalog: catalog, doing: "scheduled")
    }

    /// A copy of any campaign (its kind, frame, words and audience) as a new draft.
    public func duplicate(id: Int64) throws(HeraldError) -> CampaignReport {
        let original = try campaign(id: id)
        guard CampaignKind.operatorKinds.contains(original.kind), original.kind != .policyChange else {
            throw HeraldError(.conflict, "campaign \(id) is a \(original.kind) campaign, which cannot be copied (a policy notice goes out once per version)")
        }
        let now = clock()
        let copy = Campaign(name: Self.oneLine("Copy of " + original.name), kind: original.kind, template: original.template,
                            segment: original.segment, status: .draft, dueAt: now, createdAt: now, words: original.words)
        let created = try storage { () throws(StorageError) in try store.createCampaign(copy) }
        return try report(id: created.id!)
    }

    private func editable(_ id: Int64, doing action: String) throws(HeraldError) -> Campaign {
        let campaign = try campaign(id: id)
        guard campaign.isEditable else {
            throw HeraldError(.conflict, "campaign \(id) is \(campaign.status); only a draft or a campaign that has not started can be \(action)")
        }
        guard campaign.kind != .policyChange, campaign.kind != .confirmation else {
            throw HeraldError(.conflict, "campaign \(id) is a \(campaign.kind) campaign; herald policy publish owns those")
        }
        return campaign
    }

    /// `from`: the status the change was made from; a campaign that moved on meanwhile is not written over.
    private func save(_ campaign: Campaign, from: CampaignStatus, catalog: TemplateCatalog, doing action: String) throws(HeraldError) -> CampaignReport {
        try checkFrame(campaign.template, kind: campaign.kind, words: campaign.words, catalog: catalog)
        try composer(catalog).rehearse(campaign, policy: nil, now: clock())
        guard let saved = try storage({ () throws(StorageError) in try store.updateCampaign(campaign, expecting: from) }) else {
            let now = try self.campaign(id: campaign.id!)
            throw HeraldError(.conflict, "campaign \(campaign.id!) is \(now.status) now; it can no longer be \(action)")
        }
        return try report(id: saved.id!)
    }

    /// The template exists and is of the campaign's kind, and words (if any) are within their limits and may be
    /// set in it (a policy notice's words are its policy summary).
    func checkFrame(_ template: String, kind: CampaignKind, words: CampaignWords?, catalog: TemplateCatalog) throws(HeraldError) {
        guard let found = catalog.template(named: template) else {
            let known = catalog.templates.values.filter { $0.kind == kind.rawValue }.map(\.name).sorted().joined(separator: ", ")
            throw HeraldError(.usage, "unknown template '\(template)' in \(catalog.directory); \(kind) templates: \(known.isEmpty ? "none" : known)")
        }
        guard found.kind == kind.rawValue else {
            throw HeraldError(.usage, "template '\(template)' is of kind \(found.kind), not \(kind.rawValue)")
        }
        guard let words else { return }
        guard kind != .policyChange else {
            throw HeraldError(.usage, "a policy-change notice brings no words of its own: its text is the policy's summary (herald policy publish --summary)")
        }
        for (field, text, limit) in [("subject", words.subject, CampaignWords.maxSubjectBytes), ("preheader", words.preheader, CampaignWords.maxPreheaderBytes),
                                     ("body", words.body, CampaignWords.maxBodyBytes)] where text.utf8.count > limit {
            throw HeraldError(.dataError, "\(field): \(text.utf8.count) bytes, more than the \(limit) a campaign's \(field) may have")
        }
        if words.subject.contains(where: \.isNewline) || words.preheader.contains(where: \.isNewline) {
            throw HeraldError(.dataError, words.subject.contains(where: \.isNewline) ? "subject: must be one line" : "preheader: must be one line")
        }
    }

    /// A segment's personal fields must be ones the company keeps (`recipients.attributes`).
    func check(_ segment: Segment) throws(HeraldError) {
        for name in segment.attributes.keys.sorted() where !attributeNames.contains(name) {
            let known = attributeNames.isEmpty ? "none are declared (recipients.attributes)" : "declared: " + attributeNames.joined(separator: ", ")
            throw HeraldError(.usage, "segment: attribute:\(name) is not a personal field Herald keeps; \(known)")
        }
    }

    /// A name on one line, whatever was typed: as a subject is (`TemplateCatalog.oneLine`).
    static func oneLine(_ text: String) -> String { TemplateCatalog.oneLine(text) }
}
