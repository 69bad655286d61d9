import Foundation
import Herald
import Hummingbird
import Logging
import Store
import Synchronization

/// `/console`: staff sign in, see the campaigns and their progress, and (admins) the audit log. Every page but
/// the sign-in form needs a session; every form carries a CSRF value bound to the session; marketing accounts
/// see counts only, never an address. The handlers only read the request and call `HeraldApp`'s services.
struct ConsoleRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let session: ConsoleSession
    /// `console.js`: the console's only script, served from here (a page works without it).
    let script: String
    /// Wrong passwords slow down the client that sent them (in memory only), never the account.
    let throttle = SignInThrottle()
    /// Who sent a request: the peer, or what a trusted proxy says.
    let clients: ClientAddress
    /// Password checks: a bounded queue on threads of their own.
    let passwordWork: PasswordWork

    init(app: HeraldApp, pages: Pages, script: String) {
        self.app = app
        self.pages = pages
        self.script = script
        session = ConsoleSession(publicURL: app.configuration.publicURL)
        clients = ClientAddress(trustedProxies: app.configuration.http.trustedProxies)
        passwordWork = PasswordWork(waiting: app.configuration.console.signInQueue)
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("console/sign-in") { _, _ in signInPage() }
        router.post("console/sign-in") { request, _ in await signIn(request) }
        router.post("console/sign-out") { request, _ in await signOut(request) }
        router.get("console") { request, _ in await signedIn(request) { account, token in try dashboard(account, token: token) } }
        router.get("console/progress.json") { request, _ in await signedIn(request) { _, _ in try progress() } }
        router.get("console/sending.json") { request, _ in await signedIn(request) { account, _ in try sending(account) } }
        router.get("console/console.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: script)))
        }
        router.get("console/audit") { request, _ in
            await signedIn(request, role: .admin) { account, token in try audit(account, token: token) }
        }
        ConsoleCampaignRoutes(app: app, pages: pages, console: self).add(to: router)
        ConsoleTemplateRoutes(app: app, pages: pages, console: self).add(to: router)
        ConsolePeopleRoutes(app: app, pages: pages, console: self).add(to: router)
        ConsoleReportRoutes(app: app, pages: pages, console: self).add(to: router)
        ConsoleStaffRoutes(app: app, pages: pages, console: self).add(to: router)
        ConsolePolicyRoutes(app: app, pages: pages, console: self).add(to: router)
        ConsolePasswordRoutes(app: app, pages: pages, console: self).add(to: router)
    }

    static var policy: String { SecurityHeaders<BasicRequestContext>.policy + "; script-src 'self'; connect-src 'self'" }

    static func backToDashboard() -> Response {
        Response(status: .seeOther, headers: [.location: "/console"])
    }

    /// What every signed-in page shows: who is signed in, and the CSRF value of its forms.
    func common(_ account: StaffAccount, token: String) -> [String: Any] {
        ["staff": Self.staffValues(account), "csrf": app.formGuard.issue(for: ConsoleSession.formBinding(token), now: app.clock())]
    }

    /// A form a signed-in staff member posted: the session first, then its CSRF value, then `handle`. A service's
    /// refusal (a campaign that cannot be cancelled now, say) is a page saying why, with nothing changed.
    func signedInForm(_ request: Request, role: StaffRole? = nil, limit: Int = FormBody.limit,
                      _ handle: @escaping @Sendable (StaffAccount, String, FormBody) throws -> Response) async -> Response {
        guard let token = ConsoleSession.token(in: request) else { return redirectToSignIn() }
        let form: FormBody
        switch await guardedForm(request, token: token, limit: limit) {
        case .failure(let refusal): return refusal.response
        case .success(let read): form = read
        }
        return await signedIn(request, role: role) { [pages] account, token in
            do { return try handle(account, token, form) } catch let error as HeraldError where [.conflict, .usage, .notFound, .dataError].contains(error.kind) {
                var values = common(account, token: token)
                values["message"] = error.message + ". Nothing was changed."
                return pages.page("console-message", title: "Nothing was changed", status: error.kind == .notFound ? .notFound : .conflict, values)
            }
        }
    }

    // MARK: - Signing in and out

    private func signInPage(status: HTTPResponse.Status = .ok, problem: String? = nil, email: String = "") -> Response {
        var values: [String: Any] = ["csrf": app.formGuard.issue(for: ConsoleSession.signInBinding, now: app.clock()), "email": email]
        if let problem { values["problem"] = problem }
        return pages.page("console-sign-in", title: "Sign in", status: status, values)
    }

    /// The throttling key of the client that sent `request`; read on the request's own task (the peer's address
    /// is task-local).
    func client(of request: Request) -> String {
        // What a reverse proxy says about the client; believed only from `http.trusted_proxies`.
        let forwardedFor = request.headers[values: .init("X-Forwarded-For")!]
        let peer = RemotePeer.current
        // Behind a proxy that is not listed, every client shares the proxy's address, so five wrong passwords from
        // anyone would slow down everyone's sign-in: say so once, to the operator.
        if !forwardedFor.isEmpty, !clients.trusts(peer), Self.untrustedProxyWarned.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
            Logger(label: "herald.serve").warning("a sign-in came through a proxy that is not in http.trusted_proxies (it sent X-Forwarded-For): every client behind it is throttled as one; list the proxy's address there")
        }
        return clients.key(peer: peer, forwardedFor: forwardedFor)
    }

    private static let untrustedProxyWarned = Atomic<Bool>(false)

    /// 429 for a client with too many recent failures: how long it must wait.
    func throttled(retryAfter: Int, _ page: Response) -> Response {
        var response = page
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }

    /// 503 when the password queue is full.
    func busy(_ page: Response) -> Response {
        var response = page
        response.headers[.retryAfter] = String(PasswordWork.retryAfter)
        return response
    }

    private func signIn(_ request: Request) async -> Response {
        guard ConsoleSession.sameOrigin(request, publicURL: app.configuration.publicURL) else {
            return signInPage(status: .forbidden, problem: "This form did not come from the console. Please sign in here.")
        }
        let form: FormBody
        do { form = try await FormBody.read(request) } catch { return pages.formProblem(error) }
        guard let csrf = form.first("csrf"), app.formGuard.accepts(csrf, for: ConsoleSession.signInBinding, now: app.clock()) else {
            return signInPage(status: .forbidden, problem: "The form had expired. Please sign in again.")
        }
        let email = form.first("email") ?? "", password = form.first("password") ?? ""
        // What is shown back in the form: an address's worth, never a whole oversized field.
        let shown = String(email.prefix(254))
        let client = client(of: request)
        if case .throttled(let wait) = throttle.admit(client, now: app.clock()) {
            let minutes = max(1, (wait + 59) / 60)
            return throttled(retryAfter: wait, signInPage(status: .tooManyRequests, problem:
                "Too many failed attempts from here. Please wait \(minutes) minute\(minutes == 1 ? "" : "s"), or sign in from elsewhere.", email: shown))
        }
        guard let outcome = await passwordWork.run({ [app] in Result { () throws(HeraldError) in try app.staff.signIn(email: email, password: password) } }) else {
            throttle.settle(client, .abandoned, now: app.clock())
            return busy(signInPage(status: .serviceUnavailable, problem: "The console is busy. Please try again in a few seconds.", email: shown))
        }
        switch outcome {
        case .failure(let error):
            throttle.settle(client, .abandoned, now: app.clock())
            return pages.failure(error)
        case .success(.refused):
            throttle.settle(client, .failed, now: app.clock())
            return signInPage(status: .unauthorized, problem: "That address and password do not match an account.", email: shown)
        case .success(.signedIn(let token, _, let expires)):
            throttle.settle(client, .succeeded, now: app.clock())
            var response = Self.backToDashboard()
            response.headers[.setCookie] = session.setCookie(token, maxAge: expires.timeIntervalSince(app.clock()))
            return response
        }
    }

    private func signOut(_ request: Request) async -> Response {
        guard let token = ConsoleSession.token(in: request) else { return redirectToSignIn() }
        switch await guardedForm(request, token: token) {
        case .failure(let refusal): return refusal.response
        case .success: break
        }
        _ = try? await blocking { [app] in try app.staff.signOut(session: token) }
        return signedOut()
    }

    /// To the sign-in form, with the cookie of an ended (or unknown) session cleared.
    private func signedOut() -> Response {
        var response = redirectToSignIn()
        response.headers[.setCookie] = session.clearCookie()
        return response
    }

    func redirectToSignIn() -> Response {
        Response(status: .seeOther, headers: [.location: "/console/sign-in"])
    }

    /// A page for a signed-in staff member with `role` (admin pages); without a session, the sign-in form; with
    /// too little a role, 403 and nothing shown.
    func signedIn(_ request: Request, role: StaffRole? = nil,
                          _ page: @escaping @Sendable (StaffAccount, String) throws -> Response) async -> Response {
        guard let token = ConsoleSession.token(in: request) else { return redirectToSignIn() }
        do {
            return try await blocking { [app, pages] in
                guard let account = try app.staff.account(session: token) else { return signedOut() }
                if let role, account.role != role {
                    var values = common(account, token: token)
                    values["message"] = "This page is for administrators."
                    return pages.page("console-message", title: "Not for this account", status: .forbidden, values)
                }
                var response: Response
                do { response = try page(account, token) } catch let error as HeraldError where [.notFound, .usage, .dataError, .conflict].contains(error.kind) {
                    // Said in the console's words (an unknown campaign, a template that is not there), not a recipient's.
                    var values = common(account, token: token)
                    values["message"] = Pages.sentence(error.message) + "."
                    let status: HTTPResponse.Status = error.kind == .notFound ? .notFound : error.kind == .conflict ? .conflict : .badRequest
                    return pages.page("console-message", title: error.kind == .notFound ? "Not found" : "Not possible", status: status, values)
                }
                // Console pages may run the console's own script and let it ask this server for counts; nothing else.
                if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = Self.policy }
                return response
            }
        } catch {
            return pages.failure(error)
        }
    }

    /// A signed-in staff member's form, checked against their session.
    /// `limit`: the largest body read (a campaign's words are larger than other forms).
    func guardedForm(_ request: Request, token: String, limit: Int = FormBody.limit) async -> Result<FormBody, Pages.Refusal> {
        guard ConsoleSession.sameOrigin(request, publicURL: app.configuration.publicURL) else {
            return .failure(Pages.Refusal(response: pages.page("console-message", title: "Please try again", status: .forbidden, [
                "message": "This form did not come from the console. Nothing was changed.",
            ])))
        }
        let form: FormBody
        do { form = try await FormBody.read(request, limit: limit) } catch { return .failure(Pages.Refusal(response: pages.formProblem(error))) }
        guard let csrf = form.first("csrf"), app.formGuard.accepts(csrf, for: ConsoleSession.formBinding(token), now: app.clock()) else {
            return .failure(Pages.Refusal(response: pages.page("console-message", title: "Please try again", status: .forbidden, [
                "message": "This form has expired or did not come from the console. Nothing was changed.",
            ])))
        }
        return .success(form)
    }

    // MARK: - Pages

    private func dashboard(_ account: StaffAccount, token: String) throws -> Response {
        let campaigns = try app.campaigns.progress()
        let watch = try app.sendingWatch()
        var values = common(account, token: token)
        values["refresh"] = watch.stalled || campaigns.contains { $0.report.status == .sending || $0.report.status == .scheduled }
        values["watch"] = Self.watchValues(watch, for: account, live: values["refresh"] as? Bool ?? false)
        values["campaigns"] = campaigns.map { Self.campaignValues($0.report, $0.progress, for: account) }
        values["none"] = campaigns.isEmpty
        values["wide"] = true  // the campaign table's columns fit a 1280 px screen
        return pages.page("console-dashboard", title: "Campaigns", values)
    }

    /// What the dashboard's script polls: the same counts as the page, for every campaign it lists.
    private func progress() throws -> Response {
        APIJSON.answer(try app.campaigns.progress(audiences: false).map(\.progress))
    }

    /// What the warning on the dashboard and a campaign's report polls: whether anything is sending.
    private func sending(_ account: StaffAccount) throws -> Response {
        let watch = try app.sendingWatch()
        return APIJSON.answer(SendingWarning(stalled: watch.stalled, message: Self.stalledMessage(watch, for: account)))
    }

    struct SendingWarning: Encodable {
        var stalled: Bool
        /// The warning's sentence, empty when nothing is stalled.
        var message: String
    }

    private func audit(_ account: StaffAccount, token: String) throws -> Response {
        var values = common(account, token: token)
        values["entries"] = try app.staff.auditLog().map { entry -> [String: Any] in
            ["at": Self.timestamp(entry.recordedAt), "who": entry.staffEmail, "action": entry.action, "subject": entry.subject]
        }
        return pages.page("console-audit", title: "Audit log", values)
    }

    static func staffValues(_ account: StaffAccount) -> [String: Any] {
        ["email": account.email, "role": account.role.rawValue, "admin": account.role == .admin]
    }

    /// The warning shown (and, by the script, kept up to date) while mail is due and no worker runs.
    static func watchValues(_ watch: SendingWatch, for account: StaffAccount, live: Bool) -> [String: Any] {
        ["stalled": watch.stalled, "message": stalledMessage(watch, for: account), "live": live]
    }

    /// "Nothing is sending: …", or "" when something is (or nothing is due). Marketing is told the number of
    /// waiting messages only from the report's floor up (a single waiting confirmation says someone registered).
    static func stalledMessage(_ watch: SendingWatch, for account: StaffAccount) -> String {
        guard watch.stalled else { return "" }
        var due: [String] = []
        if watch.dueCampaigns > 0 {
            due.append(watch.dueCampaigns == 1 ? "1 campaign is due" : "\(watch.dueCampaigns) campaigns are due")
        }
        if watch.waitingMessages > 0 {
            let hidden = account.role != .admin && watch.waitingMessages < ConsoleReportRoutes.minimumCell
            due.append(hidden ? "messages are waiting" : watch.waitingMessages == 1 ? "1 message is waiting" : "\(watch.waitingMessages) messages are waiting")
        }
        return "Nothing is sending: no worker has been seen for a minute while \(due.joined(separator: " and ")). "
            + "Start the worker (herald worker, or the herald-worker service) on the server."
    }

    /// Counts only: what marketing may see of people. A draft's or a scheduled campaign's audience is counted
    /// now, and for marketing shown only from the report's floor up.
    static func campaignValues(_ report: CampaignReport, _ progress: CampaignProgress, for account: StaffAccount) -> [String: Any] {
        var values: [String: Any] = [
            "id": String(report.id), "name": report.name, "kind": report.kind.rawValue, "status": report.status.rawValue,
            "due": shortTimestamp(report.dueAt), "due_iso": isoTimestamp(report.dueAt), "draft": report.status == .draft,
            "queued": progress.waiting, "sent": progress.sent, "deferred": progress.deferred,
            "bounced": progress.bounced, "skipped": progress.skipped, "failed": progress.failed, "total": progress.total,
            "percent": progress.percent, "rate": progress.rateText]
        if let problem = report.problem { values["problem"] = problem }
        if let audience = report.audience {
            let count = AudienceCount(audience, for: account)
            let people = count.audience.map(String.init) ?? "fewer than \(count.fewerThan ?? 0)"
            values["audience"] = "would reach " + people
            values["audience_count"] = people
        }
        values["editable"] = report.status == .draft || report.status == .scheduled
        values["cancellable"] = report.status == .scheduled || report.status == .sending
        // A draft is put aside the same way (cancelled: kept, listed, never sent), under its own word.
        values["discardable"] = report.status == .draft
        values["retryable"] = report.status == .failed || (report.status.isRetryable && progress.failed + progress.deferred > 0)
        return values
    }

    /// "2099-06-01 07:30 UTC": a due time to the minute, as the console shows it without its script (which
    /// writes it in the browser's own zone).
    static func shortTimestamp(_ date: Date) -> String {
        String(timestampFormatter.string(from: date).prefix(16)) + " UTC"
    }

    /// "2099-06-01T07:30:00Z", for a `<time datetime>`.
    static func isoTimestamp(_ date: Date) -> String {
        isoFormatter.string(from: date)
    }

    nonisolated(unsafe) private static let isoFormatter = ISO8601DateFormatter()

    static func timestamp(_ date: Date) -> String {
        timestampFormatter.string(from: date) + " UTC"
    }

    /// Made once: every row of the dashboard and the audit log shows a time. (ISO8601DateFormatter is
    /// documented as safe to use from several threads; it is only not marked Sendable.)
    nonisolated(unsafe) private static let timestampFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter
    }()
}
