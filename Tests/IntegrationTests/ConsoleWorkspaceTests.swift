import Foundation
import Testing

/// The console's campaign workspace over real HTTP (Step 11): a marketer writes a campaign's own words beside a
/// preview of the real message (on the returned page without a script, as JSON for the editor's script), saves a
/// draft, duplicates and edits it, schedules it in their own time zone, and tests it on allowed addresses only.
/// Every POST needs the session's CSRF value; nothing is stored by a preview; every change and test is audited;
/// no marketing page shows a recipient's address.
@Suite(.serialized)
struct ConsoleWorkspaceTests {
    static let people = """
        email,name,first_name,country,products,consents
        p1@example.com,"Petrov, Ivan",,DE,kronos,promotions
        p2@example.com,Ada Lovelace,Augusta,AT,kronos,promotions
        p3@example.com,Grace Hopper,,US,volca,promotions
        """

    static let body = "# Opsix sale\n\nHello {{first_name}},\n\n- free shipping\n- two years of warranty\n\n[Shop now](https://shop.example.com/opsix)\n"

    /// A sandbox with personal fields, a seed address for tests, people, a marketer and an administrator.
    static func start(smtpPort: Int? = nil) throws -> (Sandbox, WebServer) {
        let sandbox = try Sandbox()
        let web = try WebServer(sandbox, smtpPort: smtpPort,
                                extra: "recipients:\n  attributes: [first_name, country]\nconsole:\n  test_recipients: [seed@staff.example]\n")
        let csv = sandbox.folder.appendingPathComponent("people.csv").path
        try people.write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = try sandbox.herald(["recipients", "import", csv])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: ConsoleTests.password + "\n").status == 0)
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: ConsoleTests.password + "\n").status == 0)
        return (sandbox, web)
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? ""
    }

    static func fields(_ values: [(String, String)]) -> String {
        values.map { "\($0.0)=\(encoded($0.1))" }.joined(separator: "&")
    }

    static func campaigns(_ sandbox: Sandbox) throws -> [[String: Any]] {
        try sandbox.herald(["campaign", "list", "--json"]).json(as: [[String: Any]].self)
    }

    @Test func theFormPreviewsTheRealMessageOnItsPageAndAsJSONStoringNothing() throws {
        let (sandbox, web) = try Self.start()
        defer { web.stop(); sandbox.remove() }
        let max = try ConsoleClient(web, "max@staff.example")
        let form = try max.get("/console/campaigns/new")
        #expect(form.status == 200 && form.headers["content-security-policy"]?.contains("frame-src 'self'") == true)
        for (id, label) in [("name", "Name"), ("kind", "Kind"), ("template", "Template"), ("subject", "Subject"), ("preheader", "Preheader"),
                            ("body", "Body"), ("format", "Format"), ("segment", "Saved segment"), ("send_at", "Send at (empty: now)"),
                            ("time_zone", "In the time zone"), ("test_to", "Send the test to")] {
            #expect(form.body.contains("<label for=\"\(id)\">\(label)</label>") && form.body.contains("id=\"\(id)\""), "the \(label) label")
        }
        for button in ["Save as draft", "Schedule the campaign", "Preview", "Send a test"] {
            #expect(form.body.contains(">\(button)</button>"), "the \(button) button")
        }
        // UTC first and chosen (the script picks the browser's zone); templates carry their kind for the script.
        #expect(form.body.contains("<select id=\"time_zone\" name=\"time_zone\">\n<option selected>UTC</option><option>Africa/Abidjan</option>"))
        #expect(form.body.contains("data-kind=\"promotion\"") && form.body.contains("<script src=\"/console/campaign-editor.js\" defer></script>"))
        let script = try max.get("/console/campaign-editor.js")
        #expect(script.status == 200 && script.headers["content-type"]?.hasPrefix("text/javascript") == true && script.body.contains("preview.json"))
        let csrf = try #require(ConsoleTests.csrf(form.body))

        // Without a script: Preview returns the page with every field kept and the message beside it.
        let typed = Self.fields([("csrf", csrf), ("name", "Opsix sale"), ("kind", "promotion"), ("template", "promotion"),
                                 ("subject", "{{first_name}}, the Opsix is 20 % off"), ("preheader", "Until Sunday"), ("body", Self.body),
                                 ("format", "markdown"), ("product", "kronos"), ("send_at", "2099-01-15T09:00"), ("time_zone", "Europe/Berlin")])
        let previewed = try max.post("/console/campaigns/new", typed + "&action=preview")
        #expect(previewed.status == 200, "\(previewed.body.suffix(600))")
        #expect(previewed.body.contains("value=\"{{first_name}}, the Opsix is 20 % off\"") && previewed.body.contains("value=\"Until Sunday\""))
        #expect(previewed.body.contains("Hello {{first_name}},\n\n- free shipping") && previewed.body.contains("value=\"2099-01-15T09:00\""))
        #expect(previewed.body.contains("<option selected>Europe/Berlin</option>") && previewed.body.contains("value=\"kronos\" checked"))
        #expect(previewed.body.contains("the Opsix is 20 % off</strong>") && previewed.body.contains("Opsix sale\n"), "subject and text part")
        #expect(previewed.body.contains("ADVERTISEMENT") && previewed.body.contains("<dt>List-Unsubscribe</dt>"))
        let frame = try #require(previewed.body.firstMatch(of: #/<iframe sandbox="" [^>]*src="(/console/campaigns/preview/[A-Za-z0-9_-]+)"/#)?.1)
        let html = try max.get(String(frame))
        #expect(html.status == 200 && html.body.contains("<li>free shipping</li>") && html.body.contains("https://shop.example.com/opsix"))
        #expect(html.headers["content-security-policy"]?.contains("sandbox") == true && html.headers["content-security-policy"]?.contains("script-src") == false)
        #expect(html.headers["x-frame-options"] == "SAMEORIGIN")
        #expect(try ConsoleClient(web, "ada@staff.example").get(String(frame)).status == 404, "a preview is its session's only")
        #expect(try web.get(String(frame)).status == 303, "no session, no preview")

        // With the script: the same as JSON, and the words' problem with its line instead of a message.
        let live = try max.post("/console/campaigns/preview.json", typed)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(live.body.utf8)) as? [String: Any], "\(live.body)")
        #expect(live.status == 200 && (json["subject"] as? String)?.hasSuffix(", the Opsix is 20 % off") == true, "\(json)")
        #expect((json["text"] as? String)?.contains("- free shipping") == true && (json["html_url"] as? String)?.hasPrefix("/console/campaigns/preview/") == true)
        let wrong = try max.post("/console/campaigns/preview.json", typed.replacingOccurrences(of: "first_name", with: "frist_name"))
        let problem = try #require(try JSONSerialization.jsonObject(with: Data(wrong.body.utf8)) as? [String: Any], "\(wrong.body)")
        #expect(wrong.status == 200 && (problem["error"] as? String)?.contains("{{frist_name}}") == true, "\(problem)")
        #expect(problem["field"] as? String == "subject" && problem["line"] as? Int == 1, "\(problem)")
        let bodyOnly = try max.post("/console/campaigns/preview.json", typed.replacingOccurrences(of: "Hello%20%7B%7Bfirst_name", with: "Hello%20%7B%7Bfrist_name"))
        let bodyProblem = try JSONSerialization.jsonObject(with: Data(bodyOnly.body.utf8)) as? [String: Any] ?? [:]
        #expect(bodyProblem["field"] as? String == "body" && bodyProblem["line"] as? Int == 3, "\(bodyProblem)")
        // Bounded: no CSRF value, no preview; words past their limit are refused unrendered; a body past the form's limit is not read.
        #expect(try max.post("/console/campaigns/preview.json", typed.replacingOccurrences(of: "csrf=\(csrf)", with: "csrf=forged")).status == 403)
        // (Bodies this large go through a file: one command-line argument holds at most 128 KiB.)
        func postFile(_ body: String) throws -> WebServer.Answer {
            let file = sandbox.folder.appendingPathComponent("form-\(body.utf8.count).txt")
            try body.write(to: file, atomically: true, encoding: .utf8)
            return try web.request("POST", "/console/campaigns/preview.json", headers: ["-H", "Cookie: \(max.cookie)", "-H",
                                                                                        "Content-Type: application/x-www-form-urlencoded", "--data-binary", "@" + file.path])
        }
        let huge = try postFile(typed.replacingOccurrences(of: "&body=", with: "&body=" + String(repeating: "a", count: 300 * 1024) + "&x="))
        #expect(huge.status == 200 && huge.body.contains("more than the 262144"), "\(huge.status) \(huge.body.prefix(200))")
        #expect(try postFile(typed + "&pad=" + String(repeating: "a", count: 1024 * 1024)).status == 413, "past the form's limit, not read")
        #expect(try Self.campaigns(sandbox).isEmpty, "previews store nothing")
        // A session asking too often is told to wait.
        var statuses: [Int] = []
        for _ in 0..<32 { statuses.append(try max.post("/console/campaigns/preview.json", Self.fields([("csrf", csrf), ("kind", "promotion"), ("template", "promotion")])).status) }
        #expect(statuses.contains(429), "\(statuses)")
        #expect(!previewed.body.contains("@example.com\"") && previewed.body.firstMatch(of: #/\bp[0-9]+@example\.com/#) == nil, "no recipient's address")
    }

    @Test func draftsAreDuplicatedEditedAndScheduledInTheMarketersZoneUntilTheyStart() throws {
        let (sandbox, web) = try Self.start()
        defer { web.stop(); sandbox.remove() }
        let max = try ConsoleClient(web, "max@staff.example")
        let csrf = try max.csrf()
        let words = [("csrf", csrf), ("name", "Opsix sale"), ("kind", "promotion"), ("template", "promotion"), ("subject", "The Opsix is 20 % off"),
                     ("body", Self.body), ("format", "markdown"), ("product", "kronos"), ("time_zone", "UTC")]

        // Kind and template must agree: the form comes back with what was typed, counted, and the reason as an alert.
        let mismatch = try max.post("/console/campaigns/new", Self.fields(words.map { $0.0 == "template" ? ("template", "product-news") : $0 }) + "&action=create")
        #expect(mismatch.status == 400 && mismatch.body.contains("role=\"alert\"") && mismatch.body.contains("not promotion"), "\(mismatch.body.prefix(1200))")
        #expect(mismatch.body.contains("value=\"The Opsix is 20 % off\"") && mismatch.body.contains("Fewer than 10 people would receive it now."))
        // A body with an unknown variable: refused with its line, nothing stored.
        let unknown = try max.post("/console/campaigns/new", Self.fields(words.map { $0.0 == "body" ? ("body", "Hi,\n\nthere\n{{frist_name}}\n") : $0 }) + "&action=draft")
        #expect(unknown.status == 400 && unknown.body.contains("role=\"alert\">body:4: {{frist_name}}"), "\(unknown.body.prefix(1200))")
        #expect(try Self.campaigns(sandbox).isEmpty)

        let saved = try max.post("/console/campaigns/new", Self.fields(words) + "&action=draft")
        let location = try #require(saved.headers["location"], "\(saved.status) \(saved.body.prefix(800))")
        let id = try #require(location.firstMatch(of: #/^/console/campaigns/(\d+)/edit\?saved=draft$/#).flatMap { Int($0.1) }, "\(location)")
        #expect(try sandbox.campaignReport(String(id)).status == "draft")
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        #expect(try sandbox.campaignReport(String(id)).counts.values.reduce(0, +) == 0, "a draft sends nothing")
        let editing = try max.get(location)
        #expect(editing.status == 200 && editing.body.contains("Saved as a draft.") && editing.body.contains("value=\"The Opsix is 20 % off\""))
        #expect(editing.body.contains("action=\"/console/campaigns/\(id)/duplicate\"") && editing.body.contains(">Duplicate</button>"))
        #expect(try max.get("/console/campaigns/\(id)").headers["location"] == "/console/campaigns/\(id)/edit")

        // Duplicate: a new draft, opened in the workspace; the copy edited, then scheduled at 09:00 in Berlin.
        #expect(try max.post("/console/campaigns/\(id)/duplicate", "csrf=forged").status == 403)
        let copied = try max.post("/console/campaigns/\(id)/duplicate", "csrf=\(csrf)")
        let copy = try #require(copied.headers["location"]?.firstMatch(of: #/^/console/campaigns/(\d+)/edit$/#).flatMap { Int($0.1) }, "\(copied.headers)")
        #expect(copy != id)
        let edited = Self.fields(words.map { $0.0 == "subject" ? ("subject", "Three days left") : $0.0 == "name" ? ("name", "Opsix last days") : $0 })
        #expect(try max.post("/console/campaigns/\(copy)/edit", edited + "&action=draft").status == 303)
        let scheduled = try max.post("/console/campaigns/\(copy)/edit",
                                     edited.replacingOccurrences(of: "time_zone=UTC", with: "time_zone=Europe%2FBerlin") + "&send_at=2099-01-15T09%3A00&action=create")
        #expect(scheduled.status == 303 && scheduled.headers["location"] == "/console", "\(scheduled.body.prefix(800))")
        let shown = try sandbox.herald(["campaign", "show", String(copy), "--json"]).json()
        #expect(shown["status"] as? String == "scheduled" && shown["due_at"] as? String == "2099-01-15T08:00:00Z", "09:00 in Berlin in winter: \(shown)")
        #expect(shown["name"] as? String == "Opsix last days" && (shown["words"] as? [String: Any])?["subject"] as? String == "Three days left", "\(shown)")
        #expect(try sandbox.campaignReport(String(id)).status == "draft", "the original stays a draft")
        let inBerlin = try max.get("/console/campaigns/\(copy)/edit?time_zone=Europe%2FBerlin")
        #expect(inBerlin.body.contains("value=\"2099-01-15T09:00:00\"") && inBerlin.body.contains("<option selected>Europe/Berlin</option>"))
        #expect(inBerlin.body.contains(">Save the changes</button>"), "a scheduled campaign's changes are saved as they are")

        // The small schedule route: the original draft, at a posted time.
        #expect(try max.post("/console/campaigns/\(id)/schedule", "csrf=\(csrf)&send_at=2099-02-01T10%3A00&time_zone=UTC").status == 303)
        #expect(try sandbox.herald(["campaign", "show", String(id), "--json"]).json()["due_at"] as? String == "2099-02-01T10:00:00Z")

        // Once sending has started, no more editing: 409, said plainly.
        let now = try max.post("/console/campaigns/new", Self.fields(words) + "&action=create")
        #expect(now.status == 303)
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let done = try #require(try Self.campaigns(sandbox).compactMap { $0["id"] as? Int }.max())
        let late = try max.get("/console/campaigns/\(done)/edit")
        #expect(late.status == 409 && late.body.contains("can be edited only until its sending starts"), "\(late.status) \(late.body.suffix(500))")
        #expect(try max.post("/console/campaigns/\(done)/edit", Self.fields(words) + "&action=draft").status == 409)
        #expect(try max.get("/console/campaigns/\(done)").headers["location"] == "/console/reports/campaigns/\(done)")

        let audit = try ConsoleClient(web, "ada@staff.example").get("/console/audit").body
        for action in ["campaign.draft", "campaign.duplicate", "campaign.edit", "campaign.schedule", "campaign.create"] {
            #expect(audit.contains(action), "\(action) is audited")
        }
        for page in [location, "/console/campaigns/\(copy)/edit", "/console/campaigns/new"] {
            #expect(try max.get(page).body.firstMatch(of: #/\bp[0-9]+@example\.com/#) == nil, "\(page) names no recipient")
        }
    }

    @Test func aTestGoesOnlyToTheMarketersOwnOrAnAllowedAddressMarkedAndAudited() throws {
        let smtp = try SMTPTestServer(spool: FileManager.default.temporaryDirectory.appendingPathComponent("workspace-\(UUID().uuidString)").path)
        defer { smtp.stop() }
        let (sandbox, web) = try Self.start(smtpPort: smtp.port)
        defer { web.stop(); sandbox.remove() }
        let max = try ConsoleClient(web, "max@staff.example")
        let form = try max.get("/console/campaigns/new")
        #expect(form.body.contains("<option value=\"max@staff.example\">max@staff.example (you)</option><option value=\"seed@staff.example\">"))
        let csrf = try #require(ConsoleTests.csrf(form.body))
        let words = Self.fields([("csrf", csrf), ("name", "Opsix sale"), ("kind", "promotion"), ("template", "promotion"),
                                 ("subject", "{{first_name}}, the Opsix is 20 % off"), ("body", Self.body), ("format", "markdown")])
        #expect(try max.post("/console/campaigns/new", words.replacingOccurrences(of: "csrf=\(csrf)", with: "csrf=forged") + "&test_to=seed%40staff.example&action=test").status == 403)
        let elsewhere = try max.post("/console/campaigns/new", words + "&test_to=p1%40example.com&action=test")
        #expect(elsewhere.status == 400 && elsewhere.body.contains("nothing was sent") && elsewhere.body.contains("role=\"alert\""), "\(elsewhere.status)")
        #expect(smtp.acceptedRecipients().isEmpty, "nothing sent to an address not allowed")
        let own = try max.post("/console/campaigns/new", words + "&test_to=max%40staff.example&action=test")
        #expect(own.status == 200 && own.body.contains("Test sent to max@staff.example: the server answered 250"), "\(own.body.prefix(1000))")
        #expect(own.body.contains("value=\"{{first_name}}, the Opsix is 20 % off\""), "the form keeps what was typed")
        let seed = try max.post("/console/campaigns/new", words + "&test_to=seed%40staff.example&action=test")
        #expect(seed.status == 200 && seed.body.contains("Test sent to seed@staff.example"))
        #expect(smtp.acceptedRecipients() == ["max@staff.example", "seed@staff.example"])
        let messages = try Sandbox.inspectMessages(in: smtp.spool)
        for message in messages {
            #expect((message["subject"] as? String)?.hasPrefix("[TEST] ") == true && (message["subject"] as? String)?.hasSuffix("the Opsix is 20 % off") == true, "\(message)")
            let text = (message["parts"] as? [[String: Any]])?.first { $0["type"] as? String == "text/plain" }?["content"] as? String ?? ""
            #expect(text.contains("- free shipping") && text.contains("ADVERTISEMENT"), "\(text)")
        }
        #expect(try Self.campaigns(sandbox).isEmpty, "a test is no campaign")
        let audit = try ConsoleClient(web, "ada@staff.example").get("/console/audit").body
        #expect(audit.components(separatedBy: "campaign.test-send").count - 1 == 2, "each test is audited")
        #expect(audit.contains("to the account&#39;s own address") || audit.contains("to the account's own address"))
        #expect(audit.contains("to the test address seed@staff.example") && !audit.contains("p1@example.com"), "a refused test sent and recorded nothing")
    }
}
