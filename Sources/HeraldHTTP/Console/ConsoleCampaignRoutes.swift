import Foundation
import Herald
import Hummingbird
import Rendering
import Store

/// `/console/campaigns/…`: the campaign workspace, where marketing writes a campaign: its name, kind and template
/// (the kind's frame), its own words (subject, preheader, a Markdown or HTML body) with a preview of the real
/// message, its audience (a saved segment, or products and purposes, counted), and a send time in the staff
/// member's time zone; it is saved as a draft, scheduled, or sent as a test first. Drafts and campaigns that have
/// not started are edited in the same workspace (ConsoleWorkspaceRoutes.swift), duplicated and scheduled; and
/// the cancel and retry buttons. Every change is audited; every form carries the session's CSRF value. Without
/// JavaScript every button is a plain submit and the preview is shown on the returned page.
struct ConsoleCampaignRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let console: ConsoleRoutes
    /// The previews' HTML parts, for their sandboxed frames (in memory, minutes).
    let frames = PreviewFrames()

    /// What marketing sends from the console; policy notices come from `herald policy publish`.
    static let kinds: [CampaignKind] = [.productNews, .promotion]

    /// The largest workspace form: a campaign's words at their limits, and the rest of the form.
    static let formLimit = CampaignWords.maxBodyBytes * 3 + CampaignWords.maxPreheaderBytes * 3 + 16 * 1024

    func add(to router: Router<BasicRequestContext>) {
        router.get("console/campaigns/new") { request, _ in
            await console.signedIn(request) { account, token in
                try workspace(account, token: token, input: CampaignFormInput(), editing: nil)
            }
        }
        router.post("console/campaigns/new") { request, _ in
            await console.signedInForm(request, limit: Self.formLimit) { account, token, form in try submit(account, token: token, form: form, editing: nil) }
        }
        // The audience size as the form changes (the console's script asks; without it, "Count the audience").
        router.get("console/campaigns/audience") { request, _ in
            let input = CampaignFormInput(FormBody(query: request))
            return await console.signedIn(request) { account, _ in
                do {
                    try input.validate()
                    return APIJSON.answer(AudienceCount(try app.campaigns.audienceSize(kind: input.kind, segment: try input.segment(app)), for: account))
                } catch let error as HeraldError where error.kind == .usage || error.kind == .dataError {
                    return APIJSON.error(.badRequest, error.message)
                }
            }
        }
        router.post("console/campaigns/:id/cancel") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            return await console.signedInForm(request) { account, _, _ in
                try consoleCampaign(id)
                let report = try app.campaigns.cancel(id: id)
                try app.staff.audit(account, "campaign.cancel", "campaign \(id) (\(report.name))")
                return ConsoleRoutes.backToDashboard()
            }
        }
        router.post("console/campaigns/:id/retry") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            return await console.signedInForm(request) { account, _, _ in
                try consoleCampaign(id)
                let (report, queued) = try app.campaigns.retry(id: id)
                try app.staff.audit(account, "campaign.retry", "campaign \(id) (\(report.name)): \(queued) queued again")
                return ConsoleRoutes.backToDashboard()
            }
        }
        addWorkspace(to: router)
    }

    /// Only the campaigns the console makes can be changed from it: not the standing confirmation campaign (every
    /// double opt-in mail waits in it) nor a policy notice (`herald policy publish` owns those).
    @discardableResult
    func consoleCampaign(_ id: Int64) throws(HeraldError) -> CampaignReport {
        let report = try app.campaigns.report(id: id)
        guard Self.kinds.contains(report.kind) else {
            throw HeraldError(.conflict, "campaign \(id) is a \(report.kind.rawValue) campaign, which the console does not change")
        }
        return report
    }

    /// The templates a console campaign may be framed by, with their kinds.
    func templateKinds(_ catalog: TemplateCatalog) -> [(name: String, kind: String)] {
        catalog.templates.values.filter { template in Self.kinds.contains { $0.rawValue == template.kind } }
            .sorted { $0.name < $1.name }.map { ($0.name, $0.kind) }
    }

    // MARK: - The form's buttons

    /// One of the workspace's buttons, on the new form (`editing` nil) or a campaign's edit form: count the
    /// audience, preview, send a test, save as a draft (or save the changes), schedule. A refusal returns the
    /// form with everything typed and the audience counted, and says why in an alert.
    func submit(_ account: StaffAccount, token: String, form: FormBody, editing id: Int64?) throws -> Response {
        var input = CampaignFormInput(form)
        let current = try id.map { (id) throws(HeraldError) in try editable(id) }
        let action = form.first("action") ?? "count"
        if action == "test", !testTargets(account).contains(input.testTo) {
            // Nothing is sent to an address an administrator did not allow.
            return try workspace(account, token: token, input: input, editing: current, counted: true, status: .badRequest,
                                 problem: "A test goes to your own address or to one that an administrator allowed (console.test_recipients); nothing was sent")
        }
        // A preview renders every shape of the message and a test sends one: both count against the session's
        // burst, as the live preview does, whichever button asked.
        if action == "preview" || action == "test", !frames.admit(ConsoleSession.formBinding(token), now: app.clock()) {
            return try workspace(account, token: token, input: input, editing: current, status: .tooManyRequests,
                                 problem: "Too many previews and tests at once; wait \(Int(frames.window)) seconds")
        }
        do {
            try input.validate()
            if let current, input.kind != current.kind {
                throw HeraldError(.usage, "a campaign's kind stays \(current.kind.rawValue); duplicate it to start another kind")
            }
            try input.checkTemplate(templateKinds(try app.catalog()))
            switch action {
            case "preview":
                return try workspace(account, token: token, input: input, editing: current, preview: preview(input, for: token))
            case "test":
                let notice = try testSend(account, input: input, campaign: current)
                return try workspace(account, token: token, input: input, editing: current, notice: notice, preview: preview(input, for: token))
            case "draft", "create":
                let due = try input.dueAt()
                if let due, due < app.clock().addingTimeInterval(-60) { throw HeraldError(.usage, "the send time is in the past") }
                if let current {
                    return try save(account, input: input, campaign: current, due: due, scheduling: action == "create")
                }
                let report = try app.campaigns.create(CampaignDraft(kind: input.kind, template: input.template, words: try input.words(),
                                                                    segment: try input.segment(app), at: due,
                                                                    name: input.name.isEmpty ? nil : input.name, draft: action == "draft"),
                                                      catalog: try app.catalog())
                if action == "draft" {
                    try app.staff.audit(account, "campaign.draft", "campaign \(report.id) (\(report.name)) saved as a draft")
                    return Response(status: .seeOther, headers: [.location: "/console/campaigns/\(report.id)/edit?saved=draft"])
                }
                try app.staff.audit(account, "campaign.create", "campaign \(report.id) (\(report.name)), due \(ConsoleRoutes.timestamp(report.dueAt))")
                return ConsoleRoutes.backToDashboard()
            default:
                _ = try input.segment(app, kept: current?.segment)  // a segment that cannot be counted says why
                return try workspace(account, token: token, input: input, editing: current, counted: true)
            }
        } catch let error as HeraldError where error.kind == .usage || error.kind == .dataError || error.kind == .conflict {
            if current != nil, error.kind == .conflict { throw error }
            input.sendAt = (try? input.dueAt()) == nil ? "" : input.sendAt
            return try workspace(account, token: token, input: input, editing: current, counted: true, status: .badRequest, problem: error.message)
        }
    }

    /// An edited campaign's changes saved, and (`scheduling`) the campaign scheduled at `due` or now.
    private func save(_ account: StaffAccount, input: CampaignFormInput, campaign: CampaignReport, due: Date?, scheduling: Bool) throws -> Response {
        let words = try input.words()
        let changes = CampaignChanges(name: input.name.isEmpty ? nil : input.name, template: input.template, subject: words?.subject,
                                      preheader: words?.preheader, body: words?.body, format: words?.format,
                                      segment: .some(try input.segment(app, kept: campaign.segment)), at: due)
        let catalog = try app.catalog()
        var report = try app.campaigns.edit(id: campaign.id, changes, catalog: catalog)
        try app.staff.audit(account, "campaign.edit", "campaign \(report.id) (\(report.name))")
        guard scheduling else {
            return Response(status: .seeOther, headers: [.location: "/console/campaigns/\(report.id)/edit?saved=\(report.status.rawValue)"])
        }
        report = try app.campaigns.schedule(id: report.id, at: due, catalog: catalog)
        try app.staff.audit(account, "campaign.schedule", "campaign \(report.id) (\(report.name)), due \(ConsoleRoutes.timestamp(report.dueAt))")
        return ConsoleRoutes.backToDashboard()
    }

    /// A campaign the workspace may change: one the console makes that has not started.
    func editable(_ id: Int64) throws(HeraldError) -> CampaignReport {
        let report = try consoleCampaign(id)
        guard report.status == .draft || report.status == .scheduled else {
            throw HeraldError(.conflict, "campaign \(id) (\(report.name)) is \(report.status.rawValue): it can be edited only until its sending starts; duplicate it to send its words again")
        }
        return report
    }

    // MARK: - Preview and test

    /// What the preview shows: the message, or the problem with the words (`body:3: …`).
    struct Preview {
        var message: PreviewedMessage?
        var htmlURL = ""
        var problem: String?
    }

    /// The real message for the form's words (nothing stored or sent); a problem with the words is the preview's
    /// answer, not the page's.
    func preview(_ input: CampaignFormInput, for token: String) throws -> Preview {
        do {
            let message = try app.previewMessage(template: input.template, sample: input.sample, words: try input.words(),
                                                 campaignName: input.name.isEmpty ? "Preview" : input.name)
            let key = frames.keep(message.rendered.html, for: ConsoleSession.formBinding(token), now: app.clock())
            return Preview(message: message, htmlURL: "/console/campaigns/preview/\(key)")
        } catch {
            // (Typed: a `catch let … as … where` pattern here trips the compiler's ownership check.)
            guard error.kind == .usage || error.kind == .dataError else { throw error }
            return Preview(problem: error.message)
        }
    }

    /// Where this staff member may send a test: their own address, then those an administrator allowed.
    func testTargets(_ account: StaffAccount) -> [String] {
        var targets = [account.email]
        for address in app.configuration.console.testRecipients where !targets.contains(address) { targets.append(address) }
        return targets
    }

    /// The message for the form's words to one allowed address, its subject marked [TEST]; audited.
    private func testSend(_ account: StaffAccount, input: CampaignFormInput, campaign: CampaignReport?) throws -> String {
        let verdict = try app.testSend(template: input.template, sample: input.sample, to: input.testTo, words: try input.words(),
                                       campaignName: input.name.isEmpty ? "Preview" : input.name)
        let what = campaign.map { "campaign \($0.id) (\($0.name))" } ?? "a new campaign (\(input.name.isEmpty ? "unnamed" : input.name))"
        let whom = input.testTo == account.email ? "the account's own address" : "the test address \(input.testTo)"
        try app.staff.audit(account, "campaign.test-send", "\(what), template \(input.template), to \(whom)")
        switch verdict {
        case .accepted(let code, _, let reply): return "Test sent to \(input.testTo): the server answered \(code) \(reply)"
        case .refused(let code, _, let reply): return "Not sent: the server refused it with \(code) \(reply)"
        case .notDelivered(let reason): return "Not sent: \(reason)"
        }
    }

    // MARK: - The page

    /// The workspace: the form (new, or a campaign's edit form) and the preview beside it.
    func workspace(_ account: StaffAccount, token: String, input: CampaignFormInput, editing: CampaignReport?, counted: Bool = false,
                   status: HTTPResponse.Status = .ok, problem: String? = nil, notice: String? = nil, preview: Preview? = nil) throws -> Response {
        let catalog = try app.catalog()
        var values = console.common(account, token: token)
        values["name"] = input.name
        let kinds = editing.map { [$0.kind] } ?? Self.kinds
        values["kinds"] = kinds.map { ["value": $0.rawValue, "label": Pages.sentence($0.rawValue.replacingOccurrences(of: "-", with: " ")),
                                       "selected": $0 == input.kind] }
        values["templates"] = catalog.templates.values.filter { template in kinds.contains { $0.rawValue == template.kind } }
            .sorted { $0.name < $1.name }
            .map { ["name": $0.name, "kind": $0.kind, "description": $0.description ?? "", "selected": $0.name == input.template] }
        values["subject"] = input.subject
        values["preheader"] = input.preheader
        values["body"] = input.body
        values["formats"] = [(BodyFormat.markdown, "Markdown"), (.html, "HTML")].map { ["value": $0.0.rawValue, "label": $0.1, "selected": $0.0 == input.format] }
        // Each with the audience it gives a campaign of this kind now (under the report's floor, for marketing,
        // "fewer than 10").
        var segments: [[String: Any]] = try app.campaigns.savedSegments().map { size in
            let count = AudienceCount(size.sizes[input.kind] ?? 0, for: account)
            let people = count.audience.map { "\($0) people" } ?? "fewer than \(count.fewerThan ?? 0) people"
            return ["value": size.segment.name, "label": "\(size.segment.name): \(size.segment.expression) (\(people))",
                    "selected": size.segment.name == input.savedSegment]
        }
        if let kept = editing?.segment, kept == input.savedSegment, !segments.contains(where: { $0["value"] as? String == kept }) {
            segments.append(["value": kept, "label": "As set elsewhere: \(kept)", "selected": true])
        }
        values["segments"] = segments
        values["products"] = try app.consent.productNames().map { ["name": $0, "checked": input.products.contains($0)] }
        values["purposes"] = Purpose.allCases.map { ["name": $0.rawValue, "label": Pages.sentence($0.phrase), "checked": input.purposes.contains($0)] }
        values["send_at"] = input.sendAt
        values["zones"] = CampaignFormInput.zones.map { ["name": $0, "selected": $0 == input.timeZone] }
        values["test_targets"] = testTargets(account).map { address in
            ["address": address, "label": address == account.email ? "\(address) (you)" : address, "selected": address == input.testTo]
        }
        values["body_limit"] = CampaignWords.maxBodyBytes
        if counted, let segment = try? input.segment(app, kept: editing?.segment),
           let size = try? app.campaigns.audienceSize(kind: input.kind, segment: segment) {
            values["audience"] = AudienceCount(size, for: account).text
        }
        if let problem { values["problem"] = problem }
        if let notice { values["notice"] = notice }
        if let preview { values.merge(Self.previewValues(preview)) { $1 } }
        let title: String
        if let editing {
            title = "Edit: \(editing.name)"
            values["form_action"] = "/console/campaigns/\(editing.id)/edit"
            values["editing"] = ["id": String(editing.id), "status": editing.status.rawValue, "draft": editing.status == .draft,
                                 "due": ConsoleRoutes.timestamp(editing.dueAt), "due_utc": ISO8601DateFormatter().string(from: editing.dueAt)]
            values["save_label"] = editing.status == .draft ? "Save as draft" : "Save the changes"
        } else {
            title = "New campaign"
            values["form_action"] = "/console/campaigns/new"
            values["new"] = true
            values["save_label"] = "Save as draft"
        }
        var response = pages.page(editing == nil ? "console-campaign-new" : "console-campaign-edit", title: title, status: status, values)
        // The preview's frame, from this server only (its own answer is sandboxed).
        response.headers[.contentSecurityPolicy] = ConsoleRoutes.policy + "; frame-src 'self'"
        return response
    }

    static func previewValues(_ preview: Preview) -> [String: Any] {
        guard let message = preview.message else { return ["preview_problem": Pages.sentence(preview.problem ?? "")] }
        return ["preview": true, "preview_subject": message.rendered.subject, "preview_text": message.rendered.text, "html_url": preview.htmlURL,
                "preview_headers": message.headers.map { ["name": $0.name, "value": $0.value] }]
    }
}
