import Foundation
import Herald
import Hummingbird
import Store

/// `/console/password`: any signed-in staff member changes their own password. The current password is asked
/// for (a stolen session alone cannot take the account over), and a wrong one counts against the client like a
/// failed sign-in; the new one follows `herald staff add`'s rule; every other session of the account ends, this
/// one stays. The check runs in the console's bounded password queue, and the change is audited.
struct ConsolePasswordRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let console: ConsoleRoutes

    func add(to router: Router<BasicRequestContext>) {
        router.get("console/password") { request, _ in
            await console.signedIn(request) { account, token in page(account, token: token) }
        }
        router.post("console/password") { request, _ in await change(request) }
    }

    private func change(_ request: Request) async -> Response {
        guard let token = ConsoleSession.token(in: request) else { return console.redirectToSignIn() }
        let form: FormBody
        switch await console.guardedForm(request, token: token) {
        case .failure(let refusal): return refusal.response
        case .success(let read): form = read
        }
        let account: StaffAccount
        do {
            guard let found = try await blocking({ [app] in try app.staff.account(session: token) }) else { return console.redirectToSignIn() }
            account = found
        } catch { return pages.failure(error) }
        let current = form.first("current") ?? "", new = form.first("password") ?? "", again = form.first("again") ?? ""
        guard new == again else {
            return page(account, token: token, problem: "The two new passwords differ. Nothing was changed.", status: .badRequest)
        }
        let client = console.client(of: request)
        if case .throttled(let wait) = console.throttle.admit(client, now: app.clock()) {
            return console.throttled(retryAfter: wait, page(account, token: token, problem:
                "Too many wrong passwords from here. Please wait \((wait + 59) / 60) minutes. Nothing was changed.", status: .tooManyRequests))
        }
        guard let outcome = await console.passwordWork.run({ [app] in
            Result { () throws(HeraldError) in try app.staff.changePassword(account, session: token, current: current, new: new) }
        }) else {
            console.throttle.settle(client, .abandoned, now: app.clock())
            return console.busy(page(account, token: token, problem: "The console is busy. Please try again in a few seconds. Nothing was changed.",
                                     status: .serviceUnavailable))
        }
        switch outcome {
        case .success(.changed):
            console.throttle.settle(client, .succeeded, now: app.clock())
            return page(account, token: token, notice: "Your password is changed. Every other session of your account has ended.")
        case .success(.wrongCurrentPassword):
            console.throttle.settle(client, .failed, now: app.clock())
            return page(account, token: token, problem: "The current password is wrong. Nothing was changed.", status: .forbidden)
        case .failure(let error) where error.kind == .dataError:
            console.throttle.settle(client, .succeeded, now: app.clock())  // the current password was right
            return page(account, token: token, problem: Pages.sentence(error.message) + ". Nothing was changed.", status: .badRequest)
        case .failure(let error):
            console.throttle.settle(client, .abandoned, now: app.clock())
            return pages.failure(error)
        }
    }

    private func page(_ account: StaffAccount, token: String, notice: String? = nil, problem: String? = nil,
                      status: HTTPResponse.Status = .ok) -> Response {
        var values = console.common(account, token: token)
        values["minimum"] = String(StaffService.minimumPasswordLength)
        if let notice { values["notice"] = notice }
        if let problem { values["problem"] = problem }
        var response = pages.page("console-password", title: "Your password", status: status, values)
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = ConsoleRoutes.policy }
        return response
    }
}
