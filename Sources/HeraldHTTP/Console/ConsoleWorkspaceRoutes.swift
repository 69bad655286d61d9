import Foundation
import Herald
import Hummingbird
import Store

/// The workspace's routes beside the new-campaign form:
///
/// - `GET|POST /console/campaigns/{id}/edit`: a draft or a scheduled campaign that has not started, in the same
///   workspace, prefilled (its due time in the chosen zone); 409 once its sending has started.
/// - `POST /console/campaigns/{id}/duplicate`: a copy as a new draft, then its edit form.
/// - `POST /console/campaigns/{id}/schedule`: a draft scheduled (at the posted time, its own time if still ahead, or now).
/// - `POST /console/campaigns/preview.json`: the live preview (the editor's script asks as the words change):
///   `{"subject", "text", "html_url", "headers"}` or `{"error"}` with the words' line; nothing is stored or sent.
/// - `GET /console/campaigns/preview/{key}`: a preview's HTML part for its sandboxed frame, under a policy of its own.
/// - `GET /console/campaign-editor.js`: the editor's script (a toolbar for Markdown, the live preview, the
///   templates of the chosen kind, the browser's time zone).
extension ConsoleCampaignRoutes {
    /// The HTML part's own policy: inline styles (mail needs them), nothing else, sandboxed, framed only by the console.
    static let framePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'"

    func addWorkspace(to router: Router<BasicRequestContext>) {
        // A campaign's own page: its workspace until it starts, then its report.
        router.get("console/campaigns/:id") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            return await console.signedIn(request) { _, _ in
                let report = try consoleCampaign(id)
                let editable = report.status == .draft || report.status == .scheduled
                return Response(status: .seeOther, headers: [.location: editable ? "/console/campaigns/\(id)/edit" : "/console/reports/campaigns/\(id)"])
            }
        }
        router.get("console/campaigns/:id/edit") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            let query = FormBody(query: request)
            return await console.signedIn(request) { account, token in
                let report = try editable(id)
                let saved = try app.campaigns.savedSegments().map(\.segment)
                let input = CampaignFormInput(report, saved: saved, zone: query.first("time_zone") ?? "UTC", now: app.clock())
                let notice = query.first("saved").map { $0 == "draft" ? "Saved as a draft." : "Saved." }
                return try workspace(account, token: token, input: input, editing: report, counted: true, notice: notice)
            }
        }
        router.post("console/campaigns/:id/edit") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            return await console.signedInForm(request, limit: Self.formLimit) { account, token, form in
                try submit(account, token: token, form: form, editing: id)
            }
        }
        router.post("console/campaigns/:id/duplicate") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            return await console.signedInForm(request) { account, _, _ in
                let original = try consoleCampaign(id)
                let copy = try app.campaigns.duplicate(id: id)
                try app.staff.audit(account, "campaign.duplicate", "campaign \(id) (\(original.name)) copied as draft \(copy.id)")
                return Response(status: .seeOther, headers: [.location: "/console/campaigns/\(copy.id)/edit"])
            }
        }
        router.post("console/campaigns/:id/schedule") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            return await console.signedInForm(request) { account, _, form in
                let report = try editable(id)
                var input = CampaignFormInput()
                input.sendAt = form.first("send_at") ?? ""
                input.timeZone = form.first("time_zone") ?? "UTC"
                let now = app.clock()
                let due = try input.dueAt() ?? (report.dueAt > now ? report.dueAt : nil)
                if let due, due < now.addingTimeInterval(-60) { throw HeraldError(.usage, "the send time is in the past") }
                let scheduled = try app.campaigns.schedule(id: id, at: due, catalog: try app.catalog())
                try app.staff.audit(account, "campaign.schedule", "campaign \(id) (\(scheduled.name)), due \(ConsoleRoutes.timestamp(scheduled.dueAt))")
                return ConsoleRoutes.backToDashboard()
            }
        }
        router.post("console/campaigns/preview.json") { request, _ in
            await console.signedInForm(request, limit: Self.formLimit) { _, token, form in try livePreview(form, token: token) }
        }
        router.get("console/campaigns/preview/:key") { request, context in
            let key = context.parameters.get("key") ?? ""
            return await console.signedIn(request) { _, token in
                guard let html = frames.html(key, for: ConsoleSession.formBinding(token), now: app.clock()) else {
                    return frameAnswer(.notFound, "<!DOCTYPE html><html lang=\"en\"><title>Preview</title><p>This preview has expired: press Preview again.</p></html>")
                }
                return frameAnswer(.ok, html)
            }
        }
        let script = (try? HeraldServer.asset("campaign-editor.js", templates: app.configuration.templates)) ?? ""
        router.get("console/campaign-editor.js") { _, _ in
            Response(status: script.isEmpty ? .notFound : .ok, headers: [.contentType: "text/javascript; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: script)))
        }
    }

    /// A preview's HTML part, under the frame's own policy.
    private func frameAnswer(_ status: HTTPResponse.Status, _ html: String) -> Response {
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        response.headers[.contentSecurityPolicy] = Self.framePolicy
        response.headers[.init("X-Frame-Options")!] = "SAMEORIGIN"
        return response
    }

    /// What the live preview answers.
    struct LivePreview: Encodable {
        struct Header: Encodable {
            var name: String
            var value: String
        }

        var subject: String
        var text: String
        var htmlURL: String
        var headers: [Header]
    }

    /// The form's words as the real message (JSON), or the problem with them: `error` (`body:3: …`), `field` and
    /// `line`, answered with 200 too (the preview's answer is the problem; the request did not fail). At most `PreviewFrames.burst` a session in its window (429 past it).
    private func livePreview(_ form: FormBody, token: String) throws -> Response {
        guard frames.admit(ConsoleSession.formBinding(token), now: app.clock()) else {
            var response = APIJSON.error(.tooManyRequests, "Too many previews at once; the preview follows in a few seconds.")
            response.headers[.retryAfter] = String(Int(frames.window))
            return response
        }
        let input = CampaignFormInput(form)
        do {
            try input.validate()
            try input.checkTemplate(templateKinds(try app.catalog()))
        } catch {
            // (Typed: a `catch let … as … where` pattern here trips the compiler's ownership check.)
            guard error.kind == .usage || error.kind == .dataError else { throw error }
            return Self.problem(error.message)
        }
        let preview = try preview(input, for: token)
        guard let message = preview.message else { return Self.problem(preview.problem ?? "") }
        return APIJSON.answer(LivePreview(subject: message.rendered.subject, text: message.rendered.text, htmlURL: preview.htmlURL,
                                          headers: message.headers.map { LivePreview.Header(name: $0.name, value: $0.value) }))
    }

    /// `body:3: {{frist_name}} has no value…` as `{"error": …, "field": "body", "line": 3}`.
    static func problem(_ message: String) -> Response {
        struct Problem: Encodable {
            var error: String
            var field: String?
            var line: Int?
        }
        var problem = Problem(error: Pages.sentence(message))
        if let match = message.firstMatch(of: #/^(subject|preheader|body):(\d+):/#) {
            problem.field = String(match.1)
            problem.line = Int(match.2)
        }
        return APIJSON.answer(problem)
    }
}
