import Foundation
import Herald
import Hummingbird
import Mail
import Store

/// `/policy`: the prominent notice on the website — the current privacy-policy version, its summary and
/// effective date, and every earlier version. `/policy/{token}`: one person's accept-or-decline page for a
/// material change (the link in its notice); the choice goes to the ledger with the version. The form carries
/// a CSRF value bound to the page (`FormGuard`), and the signed token is the only authority.
struct PolicyRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages

    func add(to router: Router<BasicRequestContext>) {
        router.get("policy") { _, _ in await history() }
        router.head("policy") { _, _ in await history().withoutBody() }
        router.get("policy/:token") { _, context in await choicePage(context) }
        router.head("policy/:token") { _, context in await choicePage(context).withoutBody() }
        router.post("policy/:token") { request, context in await choose(request, context) }
    }

    private func history() async -> Response {
        await pages.answer { [app, pages] in
            let versions = try app.policy.history()
            guard let current = versions.last else {
                return pages.page("policy", title: "Privacy policy", ["has_current": false, "earlier": [] as [Any], "has_earlier": false])
            }
            var values = Self.values(of: current, now: app.clock())
            values.merge(Self.text(try app.policy.text(of: current.version))) { $1 }
            return pages.page("policy", title: "Privacy policy", [
                "has_current": true, "current": values,
                "earlier": versions.dropLast().reversed().map { Self.values(of: $0, now: app.clock()) }, "has_earlier": versions.count > 1,
            ])
        }
    }

    /// What the mail says of a version, and what only the pages show: the machine-readable date, the
    /// publication, whether it is still to come.
    static func values(of version: PolicyVersion, now: Date) -> [String: Any] {
        MessageData.values(of: version).merging([
            "effective_iso": CivilDate(version.effectiveAt).description, "published_date": MessageData.longDate(version.publishedAt),
            "upcoming": version.effectiveAt > now,
        ]) { $1 }
    }

    /// A version's full text as the pages show it, in paragraphs; without one, the pages say so.
    static func text(_ text: String?) -> [String: Any] {
        ["has_text": text != nil, "text_paragraphs": text.map(MessageData.paragraphs) ?? []]
    }

    private func choicePage(_ context: BasicRequestContext) async -> Response {
        let token = context.parameters.get("token") ?? ""
        return await pages.answer { [self] in page(try app.policy.choice(token: token), token: token, saved: false) }
    }

    private func choose(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let token = context.parameters.get("token") ?? ""
        let form: FormBody
        switch await pages.guardedForm(request, token: token, app: app) {
        case .success(let read): form = read
        case .failure(let refusal): return refusal.response
        }
        guard let answer = form.first("choice"), answer == "accept" || answer == "decline" else {
            return pages.page("message", title: "Nothing was changed", status: .badRequest,
                              ["message": "The form did not say whether you accept or decline. Nothing was changed."])
        }
        return await pages.answer { [self] in
            do { return page(try app.policy.choose(token: token, accept: answer == "accept"), token: token, saved: true) } catch let error as HeraldError where error.kind == .conflict {
                return pages.page("message", title: "Nothing was changed", status: .conflict, ["message": error.message + ". Nothing was changed."])
            }
        }
    }

    private func page(_ choice: PolicyService.Choice, token: String, saved: Bool) -> Response {
        var values = Self.values(of: choice.version, now: app.clock())
        values["token"] = token
        values["csrf"] = app.formGuard.issue(for: token, now: app.clock())
        values["notice"] = choice.notice
        values["saved"] = saved
        values["accepted"] = choice.accepted == true
        values["declined"] = choice.accepted == false
        values["undecided"] = choice.accepted == nil
        values["policy_url"] = app.configuration.policy.url
        values["superseded_by"] = choice.supersededBy ?? ""
        values["superseded"] = choice.supersededBy != nil
        values.merge(Self.text(try? app.policy.text(of: choice.version.version))) { $1 }
        return pages.page("policy-choice", title: "Your choice on our privacy policy", values)
    }
}
