import Foundation
import Testing

/// The console's administration (Step 9): staff accounts and policy publishing in the browser, with the
/// rules of `herald staff` and `herald policy publish` (the same services), admins only, each change audited;
/// a refused form changes nothing.
@Suite(.serialized)
struct ConsoleAdminTests {
    @Test func adminsManageStaffAndPublishThePolicyMarketingCannot() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox)
        defer { web.stop() }
        try sandbox.registerPeople(3)
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: ConsoleTests.password + "\n").status == 0)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: ConsoleTests.password + "\n").status == 0)
        let ada = try ConsoleClient(web, "ada@staff.example"), max = try ConsoleClient(web, "max@staff.example")
        func accounts() throws -> [String] {
            try sandbox.herald(["staff", "list", "--json"]).json(as: [[String: Any]].self).compactMap { $0["email"] as? String }
        }
        let staffPage = try ada.get("/console/staff")
        #expect(staffPage.status == 200 && staffPage.body.contains("max@staff.example"))
        let adaCSRF = try #require(ConsoleTests.csrf(staffPage.body))
        let maxCSRF = try max.csrf()
        let password = ConsoleTests.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!

        // Marketing is refused every admin page and form, and nothing changes.
        #expect(try max.get("/console/staff").status == 403 && max.get("/console/policy").status == 403)
        #expect(try max.post("/console/staff/add", "csrf=\(maxCSRF)&email=eve%40staff.example&role=admin&password=\(password)").status == 403)
        #expect(try max.post("/console/staff/remove", "csrf=\(maxCSRF)&email=ada%40staff.example").status == 403)
        #expect(try accounts() == ["ada@staff.example", "max@staff.example"])

        // Adding: the password rule holds; a new account can sign in at once.
        let short = try ada.post("/console/staff/add", "csrf=\(adaCSRF)&email=lin%40staff.example&role=marketing&password=short")
        #expect(short.status == 400 && short.body.contains("at least 12 characters") && short.body.contains("Nothing was changed"), "\(short.status)")
        #expect(try ada.post("/console/staff/add", "csrf=\(adaCSRF)&email=lin%40staff.example&role=boss&password=\(password)").status == 400)
        #expect(try ada.post("/console/staff/add", "email=lin%40staff.example&role=marketing&password=\(password)").status == 403, "no CSRF value")
        #expect(try accounts() == ["ada@staff.example", "max@staff.example"])
        let added = try ada.post("/console/staff/add", "csrf=\(adaCSRF)&email=lin%40staff.example&role=marketing&password=\(password)")
        #expect(added.status == 200 && added.body.contains("lin@staff.example can now sign in as marketing"), "\(added.status)")
        #expect(!added.body.contains(ConsoleTests.password), "a password is never shown back")
        let lin = try ConsoleClient(web, "lin@staff.example")
        #expect(try lin.get("/console").status == 200)

        // Removing: never one's own account here; another's sessions end at once.
        #expect(try ada.post("/console/staff/remove", "csrf=\(adaCSRF)&email=ada%40staff.example").status == 409)
        #expect(try ada.post("/console/staff/remove", "csrf=\(adaCSRF)&email=lin%40staff.example").status == 200)
        #expect(try lin.get("/console").status == 303, "the removed account's cookie opens nothing")
        #expect(try accounts() == ["ada@staff.example", "max@staff.example"])

        // Publishing: the notice-days rule holds and a refusal writes nothing; a material change creates its notice.
        func versions() throws -> Int { try sandbox.herald(["policy", "list", "--json"]).json(as: [[String: Any]].self).count }
        let soon = "csrf=\(adaCSRF)&version=2027-01&summary=We+now+share+your+product+registrations+with+our+repair+partners.&material=yes"
        #expect(try max.post("/console/policy/publish", soon).status == 403)
        let early = try ada.post("/console/policy/publish", soon)
        #expect(early.status == 400 && early.body.contains("days ahead") && early.body.contains("Nothing was published"), "\(early.status)")
        #expect(early.body.contains("is too soon; give") && early.body.contains("or later, or the box"), "named as the form names it, not as a command-line option")
        #expect(!early.body.contains("--force"))
        #expect(try versions() == 0 && sandbox.herald(["campaign", "list", "--json"]).json(as: [[String: Any]].self).isEmpty)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let effective = formatter.string(from: Date().addingTimeInterval(40 * 86_400))
        let published = try ada.post("/console/policy/publish", soon + "&effective=\(effective)&adds_purpose=")
        #expect(published.status == 200 && published.body.contains("Published version 2027-01") && published.body.contains("Its notice is campaign"),
                "\(published.body.suffix(700))")
        #expect(try versions() == 1)
        let notices = try sandbox.herald(["campaign", "list", "--json"]).json(as: [[String: Any]].self)
        #expect(notices.count == 1 && notices.first?["kind"] as? String == "policy-change")
        let again = try ada.post("/console/policy/publish", soon + "&effective=\(effective)")
        #expect(again.status == 200 && again.body.contains("was published already"))
        #expect(try sandbox.herald(["campaign", "list", "--json"]).json(as: [[String: Any]].self).count == 1, "nobody is mailed twice")

        let audit = try ada.get("/console/audit").body
        for action in ["staff.add", "staff.remove", "policy.publish"] { #expect(audit.contains(action), "\(action) is audited") }
        #expect(audit.components(separatedBy: "policy.publish").count - 1 == 1, "a publication that changed nothing is not one")
    }
}
