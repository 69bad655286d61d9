import Foundation
import Herald
import Hummingbird
import Store

/// `/preferences/{token}`: each purpose with its state; save any change, or unsubscribe from everything.
/// The signed token is the only authority; the form carries a CSRF value bound to the page (`FormGuard`).
struct PreferencesRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages

    func add(to router: Router<BasicRequestContext>) {
        router.get("preferences/:token") { _, context in await show(context) }
        router.head("preferences/:token") { _, context in await show(context).withoutBody() }
        router.post("preferences/:token") { request, context in await change(request, context) }
    }

    private func show(_ context: BasicRequestContext) async -> Response {
        let token = context.parameters.get("token") ?? ""
        return await pages.answer { [self] in try page(try app.links.preferences(token: token), token: token, saved: false) }
    }

    private func change(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let token = context.parameters.get("token") ?? ""
        let form: FormBody
        switch await pages.guardedForm(request, token: token, app: app) {
        case .success(let read): form = read
        case .failure(let refusal): return refusal.response
        }
        var chosen: Set<Purpose> = []
        for name in form.all("purpose") {
            guard let purpose = Purpose(rawValue: name) else {
                return pages.page("message", title: "Nothing was changed", status: .badRequest, ["message": "The form named an unknown topic. Nothing was changed."])
            }
            chosen.insert(purpose)
        }
        let everything = form.first("action") == "unsubscribe-all"
        let granted = chosen
        return await pages.answer { [self] in
            let preferences = everything ? try app.links.unsubscribeFromAll(token: token)
                : try app.links.savePreferences(token: token, granted: granted,
                                                notice: notice(withdrawOnly: try app.links.preferences(token: token).withdrawOnly))
            return try page(preferences, token: token, saved: true)
        }
    }

    /// What the page says about the choices (the ledger keeps its hash with each change saved from it).
    private func notice(withdrawOnly: Bool) throws(HeraldError) -> String {
        ConsentNotice.preferences(company: app.companyName, policy: try app.policy.current(), withdrawOnly: withdrawOnly)
    }

    private func page(_ preferences: RecipientLinks.Preferences, token: String, saved: Bool) throws(HeraldError) -> Response {
        pages.page("preferences", title: "What you receive", [
            "notice": try notice(withdrawOnly: preferences.withdrawOnly),
            "token": token,
            "csrf": app.formGuard.issue(for: token, now: app.clock()),
            "saved": saved,
            "unsubscribed_from_all": preferences.unsubscribedFromAll,
            "blocked": preferences.blocked,
            "withdraw_only": preferences.withdrawOnly,
            "confirmation_asked": !preferences.confirmationAsked.isEmpty,
            "purposes": preferences.purposes.map { state -> [String: Any] in
                ["name": state.purpose.rawValue, "label": Pages.sentence(state.purpose.phrase),
                 "granted": state.granted]
            },
        ])
    }
}
