import Herald
import Hummingbird

/// `/u/{token}`: RFC 8058 one-click unsubscribe. A POST with `List-Unsubscribe=One-Click` (urlencoded or
/// multipart) unsubscribes at once: 200, no redirect, no cookie, no login, no CSRF check, since the mailbox
/// provider posts it with no context. GET and HEAD change nothing (link scanners fetch every URL): a page
/// whose button makes that POST.
struct OneClickRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    /// One-click revocations are committed in groups, each answered once its group is durable.
    let committer: OneClickCommitter

    func add(to router: Router<BasicRequestContext>) {
        router.get("u/:token") { _, context in await confirmation(context) }
        router.head("u/:token") { _, context in await confirmation(context).withoutBody() }
        router.post("u/:token") { request, context in await oneClick(request, context) }
    }

    private func confirmation(_ context: BasicRequestContext) async -> Response {
        let token = context.parameters.get("token") ?? ""
        return await pages.answer { [app, pages] in
            let target = try app.links.unsubscribeTarget(token: token)
            return pages.page("unsubscribe", title: "Unsubscribe", [
                "token": token, "purpose_label": target.purpose.phrase, "preferences_url": target.preferencesURL,
            ])
        }
    }

    private func oneClick(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let token = context.parameters.get("token") ?? ""
        let form: FormBody
        do {
            form = try await FormBody.read(request)
        } catch {
            return pages.formProblem(error)
        }
        guard form.isOneClick else {
            return pages.page("message", title: "Nothing was changed", status: .badRequest,
                              ["message": "This request did not ask to unsubscribe (List-Unsubscribe=One-Click). Nothing was changed."])
        }
        do {
            // Checking the token is a MAC and runs here; the write waits for its group's commit.
            let target = try app.links.unsubscribeTarget(token: token)
            _ = try await committer.revoke(target, at: app.clock())
            return pages.page("unsubscribed", title: "You are unsubscribed", ["purpose_label": target.purpose.phrase],
                              filled: ["preferences_url": target.preferencesURL], cacheKey: target.purpose.rawValue)
        } catch {
            return pages.failure(error)
        }
    }
}
