import Foundation
import Herald
import Hummingbird
import Rendering
import Store

/// `/console/templates`: the catalog with each template's problems (`herald templates check`'s), and a preview
/// of one message for a stand-in person: subject, text and HTML side by side, the HTML at phone and desktop
/// widths. The HTML is served apart (`preview.html`), sandboxed, so a template's markup never runs in the console.
struct ConsoleTemplateRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let console: ConsoleRoutes

    func add(to router: Router<BasicRequestContext>) {
        router.get("console/templates") { request, _ in await console.signedIn(request) { account, token in try catalog(account, token: token) } }
        router.get("console/templates/:name/preview") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await console.signedIn(request) { account, token in try preview(account, token: token, name: name) }
        }
        router.get("console/templates/:name/preview.html") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await console.signedIn(request) { _, _ in
                let message = try app.previewParts(template: name, email: nil)
                var response = Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message.html)))
                // Its own policy: inline styles (mail needs them), nothing else, sandboxed, framed only by the console.
                response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'"
                response.headers[.init("X-Frame-Options")!] = "SAMEORIGIN"
                return response
            }
        }
    }

    private func catalog(_ account: StaffAccount, token: String) throws -> Response {
        let catalog = try app.catalog()
        let problems = app.templateCheck.problems(now: app.clock())
        var values = console.common(account, token: token)
        values["templates"] = catalog.templates.values.sorted { $0.name < $1.name }.map { template -> [String: Any] in
            let own = problems.filter { $0.file.contains("/\(template.name)/") }.map { ["problem": $0.description] }
            return ["name": template.name, "kind": template.kind, "description": template.description, "problems": own, "clean": own.isEmpty]
        }
        let shared = problems.filter { problem in !catalog.templates.keys.contains { problem.file.contains("/\($0)/") } }
        values["shared_problems"] = shared.map { ["problem": $0.description] }
        values["has_shared_problems"] = !shared.isEmpty
        return pages.page("console-templates", title: "Templates", values)
    }

    private func preview(_ account: StaffAccount, token: String, name: String) throws -> Response {
        let message = try app.previewParts(template: name, email: nil)
        var values = console.common(account, token: token)
        values["name"] = name
        values["subject"] = message.subject
        values["text"] = message.text
        let from = app.configuration.sender.from
        values["from"] = (from.displayName.map { $0 + " " } ?? "") + "<\(from.address)>"
        values["html_url"] = "/console/templates/\(name)/preview.html"
        var response = pages.page("console-template-preview", title: "Preview: \(name)", values)
        // The one page that frames: the sandboxed HTML part, from this server only.
        response.headers[.contentSecurityPolicy] = SecurityHeaders<BasicRequestContext>.policy + "; frame-src 'self'"
        return response
    }
}
