import Foundation
import TestDatabases
import Testing

/// The staff console's door (Step 9, first part): accounts made with `herald staff`, sign-in with a session
/// cookie, CSRF on every form, slowing down guessers, roles, and a dashboard of counts that names nobody.
@Suite(.serialized)
struct ConsoleTests {
    static let password = "correct horse battery staple"

    /// `name=value` of the session cookie an answer sets.
    static func cookie(_ answer: WebServer.Answer) -> String? {
        answer.headers["set-cookie"]?.split(separator: ";").first.map(String.init)
    }

    static func csrf(_ page: String) -> String? {
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    static func signIn(_ web: WebServer, _ email: String, _ password: String) throws -> WebServer.Answer {
        let form = try web.get("/console/sign-in")
        let value = try #require(Self.csrf(form.body))
        let body = "csrf=\(value)&email=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            + "&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        return try web.post("/console/sign-in", form: body)
    }

    @Test(arguments: TestBackend.allCases) func staffSignInSeeCountsAndLoseTheirSessionWhenRemoved(_ backend: TestBackend) throws {
        let sandbox = try Sandbox(backend)
        defer { sandbox.remove() }
        let web = try WebServer(sandbox)
        defer { web.stop() }
        try sandbox.registerPeople(12)
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--name", "Spring news"])
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: Self.password + "\n").status == 0)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: Self.password + "\n").status == 0)
        let short = try sandbox.herald(["staff", "add", "eve@staff.example", "--role", "admin"], input: "short\n")
        #expect(short.status == 65 && short.stderr.contains("at least 12 characters"), "\(short.stderr)")
        let list = try sandbox.herald(["staff", "list", "--json"]).json(as: [[String: Any]].self)
        #expect(list.compactMap { $0["email"] as? String } == ["ada@staff.example", "max@staff.example"])
        #expect(list.allSatisfy { $0["password_hash"] == nil && $0["passwordHash"] == nil }, "no hash leaves the store")

        // No session: the sign-in form. A form without its CSRF value changes nothing.
        #expect(try web.get("/console").status == 303)
        #expect(try web.post("/console/sign-in", form: "email=ada%40staff.example&password=x").status == 403)
        #expect(try Self.signIn(web, "ada@staff.example", "wrong password!").status == 401)
        // Another site's page posting the sign-in form (a valid CSRF value is easy to fetch): refused by its Origin.
        let value = try #require(Self.csrf(try web.get("/console/sign-in").body))
        let forged = try web.request("POST", "/console/sign-in", headers: ["-H", "Origin: https://evil.example", "-H", "Content-Type: application/x-www-form-urlencoded",
                                                                         "--data-binary", "csrf=\(value)&email=ada%40staff.example&password=x"])
        #expect(forged.status == 403 && forged.headers["set-cookie"] == nil)
        let signedIn = try Self.signIn(web, "Ada@Staff.example", Self.password)
        #expect(signedIn.status == 303 && signedIn.headers["location"] == "/console", "\(signedIn)")
        let setCookie = signedIn.headers["set-cookie"] ?? ""
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/console"), "\(setCookie)")
        #expect(!setCookie.contains("Secure"), "not over plain http")
        let admin = try #require(Self.cookie(signedIn))

        let dashboard = try web.request("GET", "/console", headers: ["-H", "Cookie: \(admin)"])
        #expect(dashboard.status == 200 && dashboard.body.contains("Spring news") && dashboard.body.contains("scheduled"), "\(dashboard.status)")
        #expect(!dashboard.body.contains("@example.com"), "the dashboard names no recipient")
        #expect(try web.request("GET", "/console/audit", headers: ["-H", "Cookie: \(admin)"]).status == 200)

        // Marketing: the campaigns, not the admin pages.
        let marketing = try #require(Self.cookie(try Self.signIn(web, "max@staff.example", Self.password)))
        #expect(try web.request("GET", "/console", headers: ["-H", "Cookie: \(marketing)"]).status == 200)
        #expect(try web.request("GET", "/console/audit", headers: ["-H", "Cookie: \(marketing)"]).status == 403)

        // Signing out needs the session's CSRF value; then the cookie opens nothing.
        #expect(try web.request("POST", "/console/sign-out", headers: ["-H", "Cookie: \(marketing)", "-H", "Content-Type: application/x-www-form-urlencoded",
                                                                      "--data-binary", "csrf=forged"]).status == 403)
        #expect(try web.request("GET", "/console", headers: ["-H", "Cookie: \(marketing)"]).status == 200, "a forged sign-out changed nothing")
        let page = try web.request("GET", "/console", headers: ["-H", "Cookie: \(marketing)"]).body
        let out = try web.request("POST", "/console/sign-out", headers: ["-H", "Cookie: \(marketing)", "-H", "Content-Type: application/x-www-form-urlencoded",
                                                                        "--data-binary", "csrf=\(try #require(Self.csrf(page)))"])
        #expect(out.status == 303 && out.headers["set-cookie"]?.contains("Max-Age=0") == true)
        #expect(try web.request("GET", "/console", headers: ["-H", "Cookie: \(marketing)"]).status == 303)

        // One person, by exact address, for admins only; erasure needs its box ticked and is audited without the address.
        func adminPost(_ path: String, _ body: String, as cookie: String) throws -> WebServer.Answer {
            try web.request("POST", path, headers: ["-H", "Cookie: \(cookie)", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body])
        }
        let people = try web.request("GET", "/console/people", headers: ["-H", "Cookie: \(admin)"])
        let adminCSRF = try #require(Self.csrf(people.body))
        let found = try adminPost("/console/people/lookup", "csrf=\(adminCSRF)&email=p3%40example.com", as: admin)
        #expect(found.status == 200 && found.body.contains("What is stored") && found.body.contains("product-news: granted"), "\(found.status)")
        let maxAgain = try #require(Self.cookie(try Self.signIn(web, "max@staff.example", Self.password)))
        let marketingCSRF = try #require(Self.csrf(try web.request("GET", "/console", headers: ["-H", "Cookie: \(maxAgain)"]).body))
        let refused = try adminPost("/console/people/lookup", "csrf=\(marketingCSRF)&email=p3%40example.com", as: maxAgain)
        #expect(refused.status == 403 && !refused.body.contains("What is stored"), "marketing never sees a person")
        #expect(try adminPost("/console/people/erase", "csrf=\(adminCSRF)&email=p3%40example.com", as: admin).status == 409, "not confirmed")
        #expect(try sandbox.herald(["recipients", "export", "p3@example.com"]).status == 0, "nothing was erased")
        let erased = try adminPost("/console/people/erase", "csrf=\(adminCSRF)&email=p3%40example.com&confirm=yes", as: admin)
        #expect(erased.status == 200 && erased.body.contains("Erased"), "\(erased.status)")
        let after = try sandbox.herald(["recipients", "export", "p3@example.com"]).json()
        #expect(after["recipient"] == nil && (after["suppression"] as? [String: Any])?["reason"] as? String == "erased", "\(after)")
        let auditLog = try web.request("GET", "/console/audit", headers: ["-H", "Cookie: \(admin)"]).body
        #expect(auditLog.contains("person.erase") && auditLog.contains("person.view") && !auditLog.contains("p3@example.com"))

        // A removed account's session ends at once.
        #expect(try sandbox.herald(["staff", "remove", "ada@staff.example"]).status == 0)
        #expect(try web.request("GET", "/console", headers: ["-H", "Cookie: \(admin)"]).status == 303)
        let again = try sandbox.herald(["staff", "remove", "ada@staff.example"])
        #expect(again.status == 65 && again.stderr.contains("ada@staff.example has no account"), "\(again.stderr)")
    }

    /// A marketing account builds a segment, counts its audience, schedules a campaign in its own time zone and
    /// cancels it; each change is in the audit log with who made it; a form without the session's CSRF value
    /// changes nothing.
    @Test func aCampaignIsBuiltCountedScheduledAndCancelledFromTheConsole() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox)
        defer { web.stop() }
        let csv = "email,products,consents\n" + (1...14).map { "p\($0)@example.com,\($0 <= 11 ? "kronos" : "volca"),product-news\n" }.joined()
        try csv.write(toFile: sandbox.folder.appendingPathComponent("people.csv").path, atomically: true, encoding: .utf8)
        #expect(try sandbox.herald(["recipients", "import", sandbox.folder.appendingPathComponent("people.csv").path]).status == 0)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: Self.password + "\n").status == 0)
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: Self.password + "\n").status == 0)
        let max = try #require(Self.cookie(try Self.signIn(web, "max@staff.example", Self.password)))
        func post(_ path: String, _ body: String) throws -> WebServer.Answer {
            try web.request("POST", path, headers: ["-H", "Cookie: \(max)", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body])
        }
        let form = try web.request("GET", "/console/campaigns/new", headers: ["-H", "Cookie: \(max)"])
        #expect(form.status == 200 && form.body.contains("value=\"kronos\"") && form.body.contains("Europe/Berlin"))
        let csrf = try #require(Self.csrf(form.body))
        let fields = "csrf=\(csrf)&name=Kronos+news&kind=product-news&template=product-news&product=kronos&send_at=2099-06-01T09:30&time_zone=Europe%2FBerlin"
        let counted = try post("/console/campaigns/new", fields + "&action=count")
        #expect(counted.status == 200 && counted.body.contains("11 people would receive it now."), "\(counted.body.suffix(600))")
        #expect(try post("/console/campaigns/new", "csrf=forged&" + fields.dropFirst(("csrf=" + csrf + "&").count) + "&action=create").status == 403)
        // Only what the form offers: no policy notice or confirmation campaign, no product a registration would refuse.
        let notice = try post("/console/campaigns/new", fields.replacingOccurrences(of: "kind=product-news&template=product-news",
                                                                                   with: "kind=policy-change&template=policy-change") + "&action=create")
        #expect(notice.status == 400 && notice.body.contains("product-news and promotion campaigns, not"), "\(notice.status)")
        let sneaky = try post("/console/campaigns/new", fields + "&product=x%2Cproduct%3Avolca&action=count")
        #expect(sneaky.status == 400 && sneaky.body.contains("invalid product"), "\(sneaky.status)")
        let created = try post("/console/campaigns/new", fields + "&action=create")
        #expect(created.status == 303, "\(created.body.suffix(400))")
        let shown = try sandbox.herald(["campaign", "list", "--json"]).json(as: [[String: Any]].self)
        let campaign = try #require(shown.first { $0["name"] as? String == "Kronos news" })
        #expect(campaign["due_at"] as? String == "2099-06-01T07:30:00Z", "09:30 in Berlin in June is 07:30 UTC: \(campaign)")
        #expect(campaign["segment"] as? String == "product:kronos")
        let id = try #require(campaign["id"] as? Int)

        let dashboard = try web.request("GET", "/console", headers: ["-H", "Cookie: \(max)"]).body
        #expect(dashboard.contains("Kronos news") && dashboard.contains("/console/campaigns/\(id)/cancel"))
        #expect(try post("/console/campaigns/\(id)/cancel", "csrf=\(try #require(Self.csrf(dashboard)))").status == 303)
        #expect(try sandbox.campaignReport(String(id)).status == "cancelled")
        let again = try post("/console/campaigns/\(id)/cancel", "csrf=\(try #require(Self.csrf(dashboard)))")
        #expect(again.status == 409 && again.body.contains("Nothing was changed"), "\(again.status)")

        // The catalog with its check, and a preview whose HTML is sandboxed in frames of its own.
        let templates = try web.request("GET", "/console/templates", headers: ["-H", "Cookie: \(max)"])
        #expect(templates.status == 200 && templates.body.contains("product-news") && templates.body.contains("no problems"))
        let preview = try web.request("GET", "/console/templates/promotion/preview", headers: ["-H", "Cookie: \(max)"])
        #expect(preview.status == 200 && preview.body.contains("ADVERTISEMENT") && preview.body.contains("width=\"390\"") && preview.body.contains("width=\"800\""))
        let html = try web.request("GET", "/console/templates/promotion/preview.html", headers: ["-H", "Cookie: \(max)"])
        #expect(html.status == 200 && html.headers["content-security-policy"]?.contains("sandbox") == true && html.headers["x-frame-options"] == "SAMEORIGIN")
        #expect(try web.get("/console/templates/promotion/preview.html").status == 303, "no session, no preview")

        let ada = try #require(Self.cookie(try Self.signIn(web, "ada@staff.example", Self.password)))
        let audit = try web.request("GET", "/console/audit", headers: ["-H", "Cookie: \(ada)"]).body
        #expect(audit.contains("campaign.create") && audit.contains("campaign.cancel") && audit.contains("max@staff.example"))
    }

    /// Five failures from one client within 15 minutes: its sixth attempt is refused even with the right
    /// password (the account is not; see ConsoleSignInTests), and so is any other address it tries.
    @Test func repeatedFailuresSlowDownGuessing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox)
        defer { web.stop() }
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: Self.password + "\n").status == 0)
        let unknownFirst = try Self.signIn(web, "nobody@staff.example", Self.password)
        #expect(unknownFirst.status == 401 && unknownFirst.body.contains("do not match an account"), "answered as a known address is")
        for _ in 0..<4 { #expect(try Self.signIn(web, "ada@staff.example", "guess guess guess").status == 401) }
        let throttled = try Self.signIn(web, "ada@staff.example", Self.password)
        #expect(throttled.status == 429 && (850...900).contains(Int(throttled.headers["retry-after"] ?? "") ?? 0), "\(throttled.status)")
        #expect(try Self.signIn(web, "nobody@staff.example", Self.password).status == 429)
    }
}
