import Foundation
import Rendering
import Store

/// A campaign and its per-recipient counts, as `campaign show` and the API report it.
public struct CampaignReport: Sendable, Codable, Equatable {
    public struct Counts: Sendable, Codable, Equatable {
        public var queued = 0, sending = 0, sent = 0, deferred = 0, bounced = 0, skipped = 0, failed = 0
    }

    public var id: Int64
    public var name: String
    public var kind: CampaignKind
    public var template: String
    public var segment: String?
    public var status: CampaignStatus
    public var dueAt: Date
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// A policy-change notice's version.
    public var policyVersion: String?
    /// Why a failed campaign failed (`file:line: problem`).
    public var problem: String?
    public var counts: Counts
    /// Its own words (nil: the template's own).
    public var words: CampaignWords?
    /// Unsubscribes that came through this campaign's own links (a count; no one named).
    public var unsubscribes = 0
    /// How many people the audience holds now, for a draft or a scheduled campaign (nil once it has started).
    public var audience: Int?
}

/// A recipient not sent, with the server's last reply (see `CampaignStore.problems`).
public typealias CampaignProblem = JobProblem

/// Creating campaigns, and reading their state.
public struct CampaignService: Sendable {
    let store: any CampaignStore & PolicyStore
    let clock: @Sendable () -> Date
    /// The composer for a catalog, to rehearse a new campaign's messages (see `MessageComposer.rehearse`).
    let composer: @Sendable (TemplateCatalog) -> MessageComposer
    /// `recipients.attributes`: the personal fields a segment may name.
    let attributeNames: [String]

    public init(store: any CampaignStore & PolicyStore, clock: @escaping @Sendable () -> Date = Date.init,
                composer: @escaping @Sendable (TemplateCatalog) -> MessageComposer, attributeNames: [String] = []) {
        self.store = store
        self.clock = clock
        self.composer = composer
        self.attributeNames = attributeNames
    }

    /// Checks the template exists, is of the campaign's kind and renders every shape of message the campaign
    /// would send, then records the campaign (due now, or `at`). A policy-change notice announces the newest
    /// published version (each version has one notice at most: `herald policy publish` usually creates it).
    public func create(kind: CampaignKind, template: String, catalog: TemplateCatalog, segment: Segment?, at: Date?, name: String?) throws(HeraldError) -> CampaignReport {
        try create(CampaignDraft(kind: kind, template: template, segment: segment, at: at, name: name), catalog: catalog)
    }

    /// Records a campaign from `draft`: its template (the kind's own when none is named) must exist and be of
    /// its kind, and every shape of message it would send must render with its words (a problem names the line
    /// of the words it is on). A draft is kept unscheduled; otherwise it is due at `at`, or now.
    public func create(_ draft: CampaignDraft, catalog: TemplateCatalog) throws(HeraldError) -> CampaignReport {
        let kind = draft.kind, template = draft.template ?? kind.rawValue, segment = draft.segment
        try checkFrame(template, kind: kind, words: draft.words, catalog: catalog)
        if let segment { try check(segment) }
        let at = draft.at
        let now = clock()
        var policy: PolicyVersion?
        if kind == .policyChange {
            // One notice per version, so it goes to everyone it must reach or to nobody.
            guard segment == nil else { throw HeraldError(.usage, "a policy-change notice goes to everyone stored; it takes no --segment") }
            policy = try storage { () throws(StorageError) in try store.policyVersions() }.last
            guard let policy else {
                throw HeraldError(.conflict, "no privacy-policy version is published; herald policy publish records one and creates its notice")
            }
            if let notice = try storage({ () throws(StorageError) in try store.noticeCampaign(policyVersion: policy.version) }) {
                throw HeraldError(.conflict, "policy version \(policy.version) has its notice already (campaign \(notice.id ?? 0)); nobody is mailed a notice twice")
            }
        }
        // Named after its subject, its variables shown as "…" (a listing is not any one person's message).
        let defaultName = draft.words.map { $0.subject.replacing(/\{\{[^}]*\}\}\}?/, with: "…") }
            ?? "\(template) \(ISO8601DateFormatter().string(from: at ?? now))"
        let campaign = Campaign(name: Self.oneLine(draft.name ?? defaultName), kind: kind, template: template, segment: segment?.description,
                                status: draft.draft ? .draft : .scheduled, dueAt: at ?? now, createdAt: now,
                                policyVersion: policy?.version, words: draft.words)
        try composer(catalog).rehearse(campaign, policy: policy, now: now)
        let created = try storage { () throws(StorageError) in try store.createCampaign(campaign) }
        return try report(id: created.id!)
    }

    /// Stops a scheduled or sending campaign, or puts a draft aside; what was sent stays sent, what was waiting is
    /// skipped.
    public func cancel(id: Int64) throws(HeraldError) -> CampaignReport {
        let current = try report(id: id)
        guard try storage({ () throws(StorageError) in try store.cancelCampaign(id: id, now: clock()) }) != nil else {
            throw HeraldError(.conflict, "campaign \(id) is \(current.status); only a draft, a scheduled or a sending campaign can be cancelled")
        }
        return try report(id: id)
    }

    /// The recipients whose message has not gone (the first `limit`), with the server's last reply to each.
    public func problems(id: Int64, limit: Int = 1000) throws(HeraldError) -> [CampaignProblem] {
        _ = try campaign(id: id)  // an unknown id is an error, not an empty list; the counts are not needed
        return try storage { () throws(StorageError) in try store.problems(campaignID: id, limit: limit) }
    }

    /// Queues a campaign's failed and deferred recipients again; each is checked for consent when sent.
    /// Returns the report and how many were queued.
    public func retry(id: Int64) throws(HeraldError) -> (report: CampaignReport, queued: Int) {
        let current = try report(id: id)
        guard let queued = try storage({ () throws(StorageError) in try store.retryCampaign(id: id, now: clock()) }) else {
            throw HeraldError(.conflict, "campaign \(id) is \(current.status); only a started campaign can be retried")
        }
        return (try report(id: id), queued)
    }

    public func report(id: Int64) throws(HeraldError) -> CampaignReport {
        try report(for: campaign(id: id))
    }

    func campaign(id: Int64) throws(HeraldError) -> Campaign {
        guard let campaign = try storage({ () throws(StorageError) in try store.campaign(id: id) }) else {
            throw HeraldError(.notFound, "no campaign with id \(id)")
        }
        return campaign
    }

    /// Every campaign (or those `including` keeps) with its counts, oldest first; counts are read only for those kept.
    /// `audiences`: also count each draft's and scheduled campaign's audience and each campaign's unsubscribes (a
    /// query over the recipients each: not for what polls every few seconds).
    public func list(including: (Campaign) -> Bool = { _ in true }, audiences: Bool = true) throws(HeraldError) -> [CampaignReport] {
        var reports: [CampaignReport] = []
        for campaign in try storage({ () throws(StorageError) in try store.campaigns() }) where including(campaign) {
            reports.append(try report(for: campaign, audiences: audiences))
        }
        return reports
    }

    private func report(for campaign: Campaign, audiences: Bool = true) throws(HeraldError) -> CampaignReport {
        let raw = try storage { () throws(StorageError) in try store.outboxCounts(campaignID: campaign.id!) }
        var counts = CampaignReport.Counts()
        counts.queued = raw[.queued] ?? 0
        counts.sending = raw[.sending] ?? 0
        counts.sent = raw[.sent] ?? 0
        counts.deferred = raw[.deferred] ?? 0
        counts.bounced = raw[.bounced] ?? 0
        counts.skipped = raw[.skipped] ?? 0
        counts.failed = raw[.failed] ?? 0
        var report = CampaignReport(id: campaign.id!, name: campaign.name, kind: campaign.kind, template: campaign.template,
                                    segment: campaign.segment, status: campaign.status, dueAt: campaign.dueAt,
                                    createdAt: campaign.createdAt, startedAt: campaign.startedAt,
                                    finishedAt: campaign.finishedAt, policyVersion: campaign.policyVersion, problem: campaign.problem,
                                    counts: counts, words: campaign.words)
        guard audiences else { return report }
        if campaign.kind.purpose != nil {
            report.unsubscribes = try storage { () throws(StorageError) in try store.unsubscribeCount(campaignID: campaign.id!) }
        }
        if campaign.isEditable, let audience = Self.audience(of: campaign) {
            report.audience = try storage { () throws(StorageError) in try store.audienceSize(audience) }
        }
        return report
    }

    /// What starting a due campaign does: fail it when its messages cannot be composed, else queue its audience.
    static func start(_ campaign: Campaign, composer: MessageComposer, policies: [PolicyVersion], now: Date) -> CampaignStart {
        let policy = campaign.policyVersion.flatMap { version in policies.first { $0.version == version } }
        // Its version was published after the worker last read them (the publication and its notice commit
        // together): the next look sees it.
        if campaign.policyVersion != nil, policy == nil { return .wait }
        do { try composer.rehearse(campaign, policy: policy, now: now) } catch { return .fail(problem: error.message) }
        return .send(audience(of: campaign))
    }

    /// Who a stored campaign goes to; nil (nobody) when its stored segment no longer parses: a bad value
    /// narrows the audience, never widens it to everyone.
    static func audience(of campaign: Campaign) -> Audience? {
        guard let text = campaign.segment else { return audience(kind: campaign.kind, segment: nil) }
        guard let segment = try? Segment.parse(text) else { return nil }
        return audience(kind: campaign.kind, segment: segment)
    }

    static func audience(kind: CampaignKind, segment: Segment?) -> Audience {
        Audience(purpose: kind.purpose,
                 anyOfProducts: segment.flatMap { $0.products.isEmpty ? nil : $0.products },
                 anyOfPurposes: segment.flatMap { $0.purposes.isEmpty ? nil : $0.purposes },
                 attributes: segment?.attributes ?? [:],
                 despiteSuppressions: kind.sentDespite)
    }

    /// How many people a campaign of `kind` to `segment` would reach if it started now (a count only).
    public func audienceSize(kind: CampaignKind, segment: Segment?) throws(HeraldError) -> Int {
        try storage { () throws(StorageError) in try store.audienceSize(Self.audience(kind: kind, segment: segment)) }
    }
}
