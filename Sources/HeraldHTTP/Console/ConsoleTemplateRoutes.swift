import Foundation
import Herald
import Hummingbird
import Rendering
import Store

/// `/console/templates`: the catalog with each template's problems (`herald templates check`'s), and a preview
/// of one message for a chosen shape of person (a name or none, some products): the header fields of the very
/// bytes that would be sent, text and HTML side by side, the HTML at phone and desktop widths, and a test send
/// to the staff member's own address. The HTML is served apart (`preview.html`), sandboxed, so a template's
/// markup never runs in the console.
struct ConsoleTemplateRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let console: ConsoleRoutes

    func add(to router: Router<BasicRequestContext>) {
        router.get("console/templates") { request, _ in await console.signedIn(request) { account, token in try catalog(account, token: token) } }
        router.get("console/templates/:name/preview") { request, context in
            let name = context.parameters.get("name") ?? ""
            let shape = SampleShape(FormBody(query: request))
            return await console.signedIn(request) { account, token in try preview(account, token: token, name: name, shape: shape) }
        }
        router.get("console/templates/:name/preview.html") { request, context in
            let name = context.parameters.get("name") ?? ""
            let shape = SampleShape(FormBody(query: request))
            return await console.signedIn(request) { _, _ in
                let message = try app.previewMessage(template: name, sample: shape.sample(offered: try offeredProducts()))
                var response = Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                                        body: .init(byteBuffer: ByteBuffer(string: message.rendered.html)))
                // Its own policy: inline styles (mail needs them), nothing else, sandboxed, framed only by the console.
                response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'"
                response.headers[.init("X-Frame-Options")!] = "SAMEORIGIN"
                return response
            }
        }
        router.post("console/templates/:name/test-send") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await console.signedInForm(request) { account, token, form in
                let shape = SampleShape(form)
                let verdict = try app.testSend(template: name, sample: shape.sample(offered: try offeredProducts()), to: account.email)
                try app.staff.audit(account, "template.test-send", "template \(name) to the account's own address")
                let notice: String
                switch verdict {
                case .accepted(let code, _, let reply): notice = "Sent to \(account.email): the server answered \(code) \(reply)"
                case .refused(let code, _, let reply): notice = "Not sent: the server refused it with \(code) \(reply)"
                case .notDelivered(let reason): notice = "Not sent: \(reason)"
                }
                let sent: Bool
                if case .accepted = verdict { sent = true } else { sent = false }
                return try preview(account, token: token, name: name, shape: shape, notice: notice, sent: sent)
            }
        }
    }

    /// The products a shape may pick: those people have registered, or the stand-in's before anyone has.
    private func offeredProducts() throws -> [String] {
        let registered = try app.consent.productNames()
        return registered.isEmpty ? SampleRecipient.standIn.products : registered
    }

    /// A sample person's shape as the preview form sends it (`shaped` marks a form that was sent, so that
    /// an empty name and no products are a choice, not a first visit).
    struct SampleShape: Sendable {
        var chosen = false
        var name = ""
        var products: [String] = []

        /// Reached from the campaign form (`from=campaign`, with `campaign=ID` when it edits one): the preview
        /// offers the way back to it; `steps` counts the pages since (each shown shape adds one).
        var fromCampaign = false
        var campaign: Int64?
        var steps = 1

        init(_ form: FormBody) {
            chosen = form.first("shaped") != nil
            name = form.first("recipient_name") ?? ""
            products = form.all("product")
            fromCampaign = form.first("from") == "campaign"
            campaign = form.first("campaign").flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
            steps = min(max(Int(form.first("steps") ?? "") ?? 1, 1), 50)
        }

        /// Only offered products count: a preview shows what a real person could be.
        func sample(offered: [String]) -> SampleRecipient {
            guard chosen else { return .standIn }
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            return SampleRecipient(name: trimmed.isEmpty ? nil : String(trimmed.prefix(100)), products: offered.filter(products.contains))
        }

        /// The query that shows this shape again (the framed HTML part's, the campaign form's link).
        static func query(for sample: SampleRecipient) -> String {
            var items = [URLQueryItem(name: "shaped", value: "1"), URLQueryItem(name: "recipient_name", value: sample.name ?? "")]
            items += sample.products.map { URLQueryItem(name: "product", value: $0) }
            var components = URLComponents()
            components.queryItems = items
            // URLComponents leaves "+" as it is, which a form's decoding reads as a space.
            return (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        }
    }

    private func catalog(_ account: StaffAccount, token: String) throws -> Response {
        let catalog = try app.catalog()
        let problems = app.templateCheck.problems(now: app.clock())
        var values = console.common(account, token: token)
        values["templates"] = catalog.templates.values.sorted { $0.name < $1.name }.map { template -> [String: Any] in
            let own = problems.filter { $0.file.contains("/\(template.name)/") }.map { ["problem": $0.description] }
            return ["name": template.name, "kind": template.kind, "description": template.description ?? "", "problems": own, "clean": own.isEmpty]
        }
        let shared = problems.filter { problem in !catalog.templates.keys.contains { problem.file.contains("/\($0)/") } }
        values["shared_problems"] = shared.map { ["problem": $0.description] }
        values["has_shared_problems"] = !shared.isEmpty
        return pages.page("console-templates", title: "Templates", values)
    }

    private func preview(_ account: StaffAccount, token: String, name: String, shape: SampleShape,
                         notice: String? = nil, sent: Bool = false) throws -> Response {
        let offered = try offeredProducts()
        let sample = shape.sample(offered: offered)
        let message = try app.previewMessage(template: name, sample: sample)
        var values = console.common(account, token: token)
        values["name"] = name
        values["recipient_name"] = sample.name ?? ""
        values["products"] = offered.map { ["name": $0, "checked": sample.products.contains($0)] }
        values["shape"] = (sample.name.map { "a person named \($0)" } ?? "a person who gave no name") + ", "
            + (sample.products.isEmpty ? "with no products" : "with " + sample.products.joined(separator: " and "))
        values["headers"] = message.headers.map { ["name": $0.name, "value": $0.value] }
        values["text"] = message.rendered.text
        values["html_url"] = "/console/templates/\(name)/preview.html?" + SampleShape.query(for: sample)
        values["email"] = account.email
        let template = try app.catalog().templates[name]
        values["template_name"] = name
        values["description"] = template?.description ?? ""
        values["has_description"] = !(template?.description ?? "").isEmpty
        if shape.fromCampaign {
            values["back"] = [
                "href": shape.campaign.map { "/console/campaigns/\($0)/edit" } ?? "/console/campaigns/new",
                "campaign": shape.campaign.map(String.init) ?? "", "has_campaign": shape.campaign != nil,
                // This page and the next shape (or test send) add one page each to the browser's history.
                "steps": String(shape.steps), "next_steps": String(shape.steps + 1),
            ] as [String: Any]
        }
        if let notice {
            values["notice"] = notice
            values["sent"] = sent
        }
        var response = pages.page("console-template-preview", title: "Preview of the template \u{201C}\(name)\u{201D}", values)
        // The one page that frames: the sandboxed HTML part, from this server only.
        response.headers[.contentSecurityPolicy] = ConsoleRoutes.policy + "; frame-src 'self'"
        return response
    }
}
