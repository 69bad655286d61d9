import Foundation
import Mail
import Rendering
import Store
import Tokens

/// The privacy policy's versions, their notices, and each person's choice on a material change.
///
/// A material change — using people's information in a way that differs from what they agreed to — is
/// announced at least `policy.notice_days` ahead and mailed to everyone whose information is stored, opted out
/// of marketing or not (never to an erased, bounced, complained or operator-suppressed address), with a link to
/// accept or decline. A purpose the version adds is granted to nobody until they accept.
public struct PolicyService: Sendable {
    public struct Publication: Sendable {
        /// Where the summary people are told comes from: a file (`herald policy publish --summary`) or typed
        /// text (the console's form).
        public enum Summary: Sendable {
            case file(String)
            case text(String)
        }

        public var version: String
        /// What changed, as people are told; its hash is compared when the version was published before.
        public var summary: Summary
        public var material: Bool
        /// nil: today.
        public var effective: Date?
        public var notify: Bool
        public var addsPurpose: Purpose?
        public var force: Bool
        /// The notice's template; nil: the catalog's one template of kind policy-change.
        public var template: String?
        /// A UTF-8 file with the version's full policy text (`--text`), shown on `/policy`; nil: the summary alone.
        public var textFile: String?

        public init(version: String, summaryFile: String, material: Bool, effective: Date?, notify: Bool, addsPurpose: Purpose?,
                    force: Bool, template: String? = nil) {
            self.init(version: version, summary: .file(summaryFile), material: material, effective: effective, notify: notify,
                      addsPurpose: addsPurpose, force: force, template: template)
        }

        /// What the face that asks calls each choice, so a refusal names it as its user knows it.
        public struct Wording: Sendable {
            public var version: String, material: String, effective: String, addsPurpose: String, force: String

            public static let commandLine = Wording(version: "--version", material: "--material", effective: "--effective",
                                                    addsPurpose: "--adds-purpose", force: "--force")
            public static let console = Wording(version: "the version", material: "the box 'A material change'", effective: "the effective date",
                                                addsPurpose: "a purpose it adds", force: "the box 'Publish a material change with less notice'")
        }

        public var wording = Wording.commandLine

        /// An effective date as typed (`2027-01-31`, what a date field sends): the start of that day, UTC.
        public static func effectiveDate(_ text: String, field: String = "--effective") throws(HeraldError) -> Date {
            guard let parts = CivilDate.components(text), let day = CivilDate(year: parts.year, month: parts.month, day: parts.day) else {
                throw HeraldError(.usage, "\(field) '\(text)' is not a date such as 2027-01-31")
            }
            return day.startOfDay
        }

        public init(version: String, summary: Summary, material: Bool, effective: Date?, notify: Bool, addsPurpose: Purpose?,
                    force: Bool, template: String? = nil) {
            self.version = version
            self.summary = summary
            self.material = material
            self.effective = effective
            self.notify = notify
            self.addsPurpose = addsPurpose
            self.force = force
            self.template = template
        }
    }

    /// A version, and what the person whose link it is chose on it.
    public struct Choice: Sendable, Equatable {
        public var version: PolicyVersion
        public var recipientID: Int64
        /// nil: not decided yet.
        public var accepted: Bool?
        /// The words the page shows beside its two buttons (their hash goes to the ledger).
        public var notice: String
        /// A later version that adds the same purpose again: its notice's link decides now, not this one.
        public var supersededBy: String?
    }

    /// The ledger's source for a choice made on the policy page.
    public static let choiceSource = "policy-page"

    let store: any PolicyStore & ConsentStore
    let tokens: TokenAuthority
    let settings: HeraldConfiguration.Policy
    let company: String
    let clock: @Sendable () -> Date

    public init(store: any PolicyStore & ConsentStore, tokens: TokenAuthority, settings: HeraldConfiguration.Policy, company: String,
                clock: @escaping @Sendable () -> Date) {
        self.store = store
        self.tokens = tokens
        self.settings = settings
        self.company = company
        self.clock = clock
    }

    /// Every version, oldest first.
    public func history() throws(HeraldError) -> [PolicyVersion] {
        try storage { () throws(StorageError) in try store.policyVersions() }
    }

    /// The newest version: the one every consent from its publication on is given under.
    public func current() throws(HeraldError) -> PolicyVersion? {
        try history().last
    }

    /// Records a version and, for a material change or with `notify`, creates its notice campaign (due now), in one
    /// transaction, after checking everything: a refused publication writes nothing. `rehearse` renders the
    /// notice for every shape of message it would send, so a template error stops it here.
    public func publish(_ request: Publication, catalog: TemplateCatalog,
                        rehearse: (Campaign, PolicyVersion) throws(HeraldError) -> Void) throws(HeraldError) -> PolicyPublication {
        let now = clock()
        guard request.version.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"#, options: .regularExpression) != nil else {
            throw HeraldError(.usage, "\(request.wording.version) '\(request.version)': use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        if request.addsPurpose != nil, !request.material {
            throw HeraldError(.usage, "\(request.wording.addsPurpose) makes a material change (a new use of people's information): add \(request.wording.material)")
        }
        let summary = try Self.readSummary(request.summary)
        // Effective dates are whole days (UTC): the same publication names the same day whenever it is repeated.
        let effective = CivilDate(request.effective ?? now).startOfDay
        if request.material, !request.force {
            let earliest = now.addingTimeInterval(Double(settings.noticeDays) * 86_400)
            // Dates are whole days: a change effective on the day notice_days from today is in time.
            if CivilDate(effective) < CivilDate(earliest) {
                throw HeraldError(.dataError, "a material change must be announced \(settings.noticeDays) days ahead (policy.notice_days): "
                    + "\(request.wording.effective) \(CivilDate(effective)) is too soon; give \(CivilDate(earliest)) or later, or \(request.wording.force)")
            }
        }
        let version = PolicyVersion(version: request.version, summary: summary, textHash: ConsentNotice.hash(summary), material: request.material,
                                    effectiveAt: effective, publishedAt: now, addsPurpose: request.addsPurpose)
        var notice: Campaign?
        if request.material || request.notify {
            let template = try noticeTemplate(request.template, in: catalog)
            let campaign = Campaign(name: "Privacy policy \(request.version)", kind: .policyChange, template: template, segment: nil,
                                    dueAt: now, createdAt: now, policyVersion: request.version)
            try rehearse(campaign, version)
            notice = campaign
        }
        let text = try request.textFile.map { (path) throws(HeraldError) in try Self.readText(path) }
        // A version's full text is part of it: the same name with another text is another version.
        if let text, let published = try history().first(where: { $0.version == request.version }), try self.text(of: request.version) != text {
            throw HeraldError(.conflict, "policy version \(request.version) was published on \(CivilDate(published.publishedAt)) "
                + "with another full text; a version is never changed: publish the change as a new version")
        }
        let publication = try storage { () throws(StorageError) in try store.publishPolicy(version, text: text, notice: notice) }
        if !publication.versionCreated, !publication.version.isSamePublication(as: version) {
            let differs = publication.version.textHash != version.textHash ? "summary" : "materiality, effective date or added purpose"
            throw HeraldError(.conflict, "policy version \(request.version) was published on \(CivilDate(publication.version.publishedAt)) "
                + "with another \(differs); a version is never changed: publish the change as a new version")
        }
        return publication
    }

    /// The catalog's templates of kind policy-change: those a notice can be sent with.
    public static func noticeTemplates(in catalog: TemplateCatalog) -> [String] {
        catalog.templateNames.filter { catalog.template(named: $0)?.kind == CampaignKind.policyChange.rawValue }
    }

    private func noticeTemplate(_ name: String?, in catalog: TemplateCatalog) throws(HeraldError) -> String {
        let notices = Self.noticeTemplates(in: catalog)
        if let name {
            guard notices.contains(name) else {
                throw HeraldError(.usage, "--template \(name): no template of kind policy-change by that name; there are \(notices.joined(separator: ", "))")
            }
            return name
        }
        if notices.count == 1 { return notices[0] }
        if notices.contains(CampaignKind.policyChange.rawValue) { return CampaignKind.policyChange.rawValue }
        guard !notices.isEmpty else {
            throw HeraldError(.configuration, "\(catalog.directory): no template of kind policy-change for the notice")
        }
        throw HeraldError(.usage, "several policy-change templates (\(notices.joined(separator: ", "))): choose one with --template")
    }

    /// The full policy text of `--text`: UTF-8, at most 1 MB, not empty.
    static func readText(_ path: String) throws(HeraldError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw HeraldError(.dataError, "\(path): cannot be read") }
        guard data.count <= 1024 * 1024 else { throw HeraldError(.dataError, "\(path): a policy's text is at most 1 MB") }
        guard let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines) else {
            throw HeraldError(.dataError, "\(path): is not UTF-8 text")
        }
        guard !text.isEmpty else { throw HeraldError(.dataError, "\(path): is empty") }
        return text
    }

    /// The full policy text a version was published with, if any.
    public func text(of version: String) throws(HeraldError) -> String? {
        try storage { () throws(StorageError) in try store.policyText(version: version) }
    }

    static func readSummary(_ source: Publication.Summary) throws(HeraldError) -> String {
        let data: Data, origin: String
        switch source {
        case .file(let path):
            guard let read = FileManager.default.contents(atPath: path) else { throw HeraldError(.dataError, "\(path): cannot be read") }
            (data, origin) = (read, path)
        case .text(let text):
            // A browser's text box sends CRLF line breaks; a file's are kept as written (its hash names it).
            (data, origin) = (Data(text.replacingOccurrences(of: "\r\n", with: "\n").utf8), "the summary")
        }
        guard data.count <= 64 * 1024 else { throw HeraldError(.dataError, "\(origin): a summary is at most 64 KB; link to the full policy instead") }
        guard let text = String(data: data, encoding: .utf8) else { throw HeraldError(.dataError, "\(origin): is not UTF-8 text") }
        let summary = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !summary.isEmpty else { throw HeraldError(.dataError, "\(origin): is empty; the summary is what people are told changed") }
        return summary
    }

    // MARK: - A person's choice

    /// What a choice link is for, without changing anything (the page a GET shows).
    public func choice(token: String) throws(HeraldError) -> Choice {
        let claims = try tokens.verifyLink(token, expecting: .policyChoice, now: clock())
        let versions = try history()
        // Only a material change asks for a choice; its notice is the only place such a link comes from.
        guard let version = versions.first(where: { $0.version == claims.scope }), version.material else {
            throw HeraldError(.notFound, "this link is for a policy version that is not published")
        }
        let later = versions.drop { $0.version != version.version }.dropFirst()
        let supersededBy = version.addsPurpose.flatMap { purpose in later.last { $0.addsPurpose == purpose }?.version }
        guard try storage({ () throws(StorageError) in try store.recipient(id: claims.recipientID) }) != nil else {
            throw HeraldError(.notFound, "nothing is stored for this link any more")
        }
        let decided = try storage { () throws(StorageError) in try store.policyChoice(recipientID: claims.recipientID, version: version.version) }
        return Choice(version: version, recipientID: claims.recipientID, accepted: decided.map { $0 == .accept },
                      notice: ConsentNotice.policyChoice(company: company, version: version), supersededBy: supersededBy)
    }

    /// Records the choice in the ledger with the version (and grants or revokes the purpose it adds), in one
    /// transaction; choosing what was chosen last records nothing. A version whose purpose a later version adds
    /// again is decided through the later one (accepting the old one would grant what the new one withdrew).
    public func choose(token: String, accept: Bool) throws(HeraldError) -> Choice {
        var choice = try choice(token: token)
        if let later = choice.supersededBy {
            throw HeraldError(.conflict, "version \(later) of the policy has replaced this one; please use the link in its notice")
        }
        if choice.accepted == accept { return choice }
        let recorded = try storage { () throws(StorageError) in
            try store.recordPolicyChoice(recipientID: choice.recipientID, version: choice.version, accepted: accept, source: Self.choiceSource,
                                         noticeHash: ConsentNotice.hash(choice.notice), at: clock())
        }
        guard recorded else { throw HeraldError(.notFound, "nothing is stored for this link any more") }
        if !accept, choice.version.addsPurpose != nil { HeraldMetrics.countUnsubscribes(1, source: Self.choiceSource) }
        choice.accepted = accept
        return choice
    }
}

extension HeraldApp {
    /// `herald policy publish`: the publication with its notice rehearsed in the configured templates.
    public func publishPolicy(_ request: PolicyService.Publication) throws(HeraldError) -> PolicyPublication {
        let catalog = try catalog()
        let composer = composer(catalog: catalog)
        return try policy.publish(request, catalog: catalog) { (campaign, version) throws(HeraldError) in
            try composer.rehearse(campaign, policy: version, now: clock())
        }
    }
}
