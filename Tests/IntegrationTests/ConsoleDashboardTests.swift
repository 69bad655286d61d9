import Foundation
import Testing

/// The console's dashboard and a campaign's report (Step 11): a warning when nothing is sending (mail due and no
/// worker seen for a minute), drafts with their Edit, Schedule and Duplicate, a scheduled campaign's audience
/// instead of "0 waiting", due times as `<time>` in UTC (the script writes them in the browser's zone), and a
/// report that names its template, audience, subject and the unsubscribes through its own links, in aggregate.
/// Marketing sees counts only, and none under the report's floor. And the layout in a real browser at 1280 and
/// 390 px: nothing wider than the screen, the admin's header on one line.
@Suite(.serialized)
struct ConsoleDashboardTests {
    /// The people stored (the sender, the staff and Message-IDs are example addresses too).
    static var recipients: Regex<Substring> { #/\bp[0-9]+@example\.com/# }

    /// 14 people agreeing to product news: 12 own a kronos, 2 a volca; a marketing user and an administrator.
    static func people(_ sandbox: Sandbox) throws {
        let csv = "email,products,consents\n" + (1...14).map { "p\($0)@example.com,\($0 <= 12 ? "kronos" : "volca"),product-news\n" }.joined()
        let file = sandbox.folder.appendingPathComponent("people.csv").path
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try sandbox.herald(["recipients", "import", file]).status == 0)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: ConsoleTests.password + "\n").status == 0)
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: ConsoleTests.password + "\n").status == 0)
    }

    /// A running `herald serve` on a sandbox with `people`, for `test`.
    static func withConsole(_ test: (Sandbox, WebServer) throws -> Void) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox)
        defer { web.stop() }
        try people(sandbox)
        try test(sandbox, web)
    }

    /// A campaign's body in a file, for `--body`.
    static func body(_ sandbox: Sandbox, _ text: String) throws -> String {
        let file = sandbox.folder.appendingPathComponent("body.md").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The warning's paragraph, and whether it is shown (not `hidden`).
    static func warning(_ page: String) -> (shown: Bool, text: String)? {
        guard let start = page.range(of: "<p class=\"notice error sending-watch\""),
              let end = page[start.upperBound...].range(of: "</p>") else { return nil }
        let element = String(page[start.lowerBound..<end.upperBound])
        let open = element.prefix { $0 != ">" }
        let text = element.drop { $0 != ">" }.dropFirst().replacingOccurrences(of: "</p>", with: "")
        return (!open.contains(" hidden"), text)
    }

    static func sending(_ client: ConsoleClient) throws -> [String: Any] {
        let answer = try client.get("/console/sending.json")
        #expect(answer.status == 200 && answer.headers["content-type"]?.hasPrefix("application/json") == true)
        return try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
    }

    @Test func aWarningWhileSomethingIsDueAndNoWorkerRunsGoneOnceOneHasBeaten() throws {
        try Self.withConsole { sandbox, web in
            let max = try ConsoleClient(web, "max@staff.example")
            let quiet = try max.get("/console")
            #expect(Self.warning(quiet.body)?.shown == false, "nothing due: no warning: \(Self.warning(quiet.body) as Any)")
            #expect(try Self.sending(max)["stalled"] as? Bool == false)

            // serve alone, and a campaign due now: it would stay "scheduled" for ever.
            let id = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--name", "Kronos news", "--segment", "product:kronos"])
            let dashboard = try max.get("/console")
            let shown = try #require(Self.warning(dashboard.body))
            #expect(shown.shown && shown.text.hasPrefix("Nothing is sending: no worker has been seen for a minute while 1 campaign is due.")
                    && shown.text.contains("herald worker"), "\(shown)")
            #expect(dashboard.body.contains("role=\"alert\" data-sending-watch data-live"), "kept up to date by the script")
            #expect(dashboard.body.contains("<noscript><meta http-equiv=\"refresh\""), "and without it, the page reloads itself")
            let report = try max.get("/console/reports/campaigns/\(id)")
            #expect(Self.warning(report.body)?.shown == true && report.body.contains("1 campaign is due"), "on the campaign's report too")
            let watch = try Self.sending(max)
            #expect(watch["stalled"] as? Bool == true && (watch["message"] as? String)?.hasPrefix("Nothing is sending") == true, "\(watch)")
            #expect(try web.get("/console/sending.json").status == 303, "no session, no answer")

            // A worker starts (it beats at once), sends the campaign, and the warning is gone.
            let worker = try sandbox.startHerald(["worker"], log: "worker.err")
            var stopped = false
            defer { if !stopped { worker.terminate(); worker.waitUntilExit() } }
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, try sandbox.campaignReport(id).status != "done" { Thread.sleep(forTimeInterval: 0.2) }
            #expect(try sandbox.campaignReport(id).status == "done")
            #expect(try Self.sending(max)["stalled"] as? Bool == false)
            #expect(Self.warning(try max.get("/console").body)?.shown == false, "a worker has beaten: no warning")
            #expect(Self.warning(try max.get("/console/reports/campaigns/\(id)").body)?.shown == false)

            // It stops (and signs off): the next campaign due has nobody to send it, and the warning is back.
            worker.terminate()
            worker.waitUntilExit()
            stopped = true
            _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--name", "Volca news", "--segment", "product:volca"])
            let again = try #require(Self.warning(try max.get("/console").body))
            #expect(again.shown && again.text.contains("1 campaign is due"), "\(again)")
        }
    }

    @Test func draftsScheduledAudiencesAndDueTimesOnTheDashboard() throws {
        try Self.withConsole { sandbox, web in
            let body = try Self.body(sandbox, "Hello {{first_name}},\n\nThe **winter** sale starts now.\n")
            let draft = try sandbox.createCampaign(["--kind", "product-news", "--subject", "Winter news", "--body", body, "--name", "Winter draft", "--draft"])
            let kronos = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--segment", "product:kronos", "--name", "Kronos later", "--at", "2099-06-01T07:30:00Z"])
            let volca = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--segment", "product:volca", "--name", "Volca later", "--at", "2099-06-02T07:30:00Z"])
            let max = try ConsoleClient(web, "max@staff.example"), ada = try ConsoleClient(web, "ada@staff.example")
            let page = try max.get("/console")
            #expect(page.status == 200)
            let html = page.body
            func row(_ id: String) throws -> String {
                let start = try #require(html.range(of: "<tr data-campaign=\"\(id)\""))
                let end = try #require(html[start.upperBound...].range(of: "</tr>"))
                return String(html[start.lowerBound..<end.upperBound])
            }

            // A draft: its state, no due time, Edit (a link), Schedule and Duplicate (forms with the session's CSRF value).
            let draftRow = try row(draft)
            #expect(draftRow.contains("data-status=\"draft\"") && draftRow.contains(">draft</span>") && draftRow.contains("not scheduled"), "\(draftRow)")
            #expect(draftRow.contains("<a href=\"/console/campaigns/\(draft)/edit\"") && draftRow.contains(">Edit</a>"), "\(draftRow)")
            #expect(draftRow.contains("action=\"/console/campaigns/\(draft)/schedule\"") && draftRow.contains(">Send now</button>"), "\(draftRow)")
            #expect(draftRow.contains("action=\"/console/campaigns/\(draft)/duplicate\"") && draftRow.contains(">Duplicate</button>"), "\(draftRow)")
            #expect(draftRow.contains(">Discard</button>") && !draftRow.contains(">Cancel</button>"), "a draft is discarded, not cancelled: \(draftRow)")
            #expect(draftRow.contains("would reach 14"), "everyone who agreed to product news: \(draftRow)")

            // Scheduled: its audience now (12 kronos owners; the 2 volca owners are under the floor for marketing),
            // Edit and Duplicate and Cancel but no Schedule, the due time in UTC in a <time> the script rewrites.
            let kronosRow = try row(kronos)
            #expect(kronosRow.contains("would reach 12") && !kronosRow.contains("data-field=\"waiting\""), "not \"0 waiting\": \(kronosRow)")
            #expect(kronosRow.contains("<time datetime=\"2099-06-01T07:30:00Z\" data-local>2099-06-01 07:30 UTC</time>"), "\(kronosRow)")
            #expect(kronosRow.contains(">Edit</a>") && kronosRow.contains(">Duplicate</button>") && kronosRow.contains(">Cancel</button>")
                    && !kronosRow.contains(">Send now</button>"), "\(kronosRow)")
            let volcaRow = try row(volca)
            #expect(volcaRow.contains("would reach fewer than 10"), "\(volcaRow)")
            #expect(try ada.get("/console").body.contains("would reach 2<"), "an administrator sees the exact count")

            // Every form posts its CSRF value (sign-out; the draft: send now, duplicate, discard; the two scheduled: duplicate,
            // cancel); nothing names a recipient.
            let posts = html.components(separatedBy: "<form method=\"post\"").count - 1
            let guarded = html.components(separatedBy: "\"><input type=\"hidden\" name=\"csrf\" value=\"").count - 1
            #expect(posts == 1 + 3 + 2 + 2 && guarded == posts - 1, "every action form carries the CSRF value (the sign-out form too): \(posts) \(guarded)")
            #expect(html.firstMatch(of: Self.recipients) == nil)

            // The Nu HTML checker has nothing to say about the dashboard with drafts and a warning, nor the reports.
            let folder = sandbox.folder.appendingPathComponent("pages")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--name", "Due now"])
            let pages = ["dashboard": try max.get("/console"), "draft-report": try max.get("/console/reports/campaigns/\(draft)"),
                         "scheduled-report": try ada.get("/console/reports/campaigns/\(kronos)"),
                         "preview-from-campaign": try max.get("/console/templates/product-news/preview?from=campaign&campaign=\(draft)")]
            #expect(Self.warning(pages["dashboard"]?.body ?? "")?.shown == true)
            for (name, answer) in pages {
                #expect(answer.status == 200, "\(name): \(answer.status)")
                try answer.body.write(to: folder.appendingPathComponent(name + ".html"), atomically: true, encoding: .utf8)
            }
            let checker = Sandbox.packageRoot.appendingPathComponent("Tests/Support/validate_pages.py").path
            let checked = try Sandbox.run("/usr/bin/env", ["python3", checker, folder.path])
            #expect(checked.status == 0, "the Nu HTML checker found problems:\n\(checked.stdout)\(checked.stderr)")

            // The buttons work as posted (the routes are the campaign workspace's): a copy opens as a draft to edit;
            // Schedule sends the draft when it is due (now, as it has no time).
            let csrf = try max.csrf()
            let copied = try max.post("/console/campaigns/\(kronos)/duplicate", "csrf=\(csrf)")
            #expect(copied.status == 303 && copied.headers["location"]?.hasSuffix("/edit") == true, "\(copied.status) \(copied.headers)")
            #expect(try max.post("/console/campaigns/\(draft)/schedule", "csrf=nope").status == 403, "no CSRF value, nothing scheduled")
            #expect(try sandbox.campaignReport(draft).status == "draft")
            let scheduled = try max.post("/console/campaigns/\(draft)/schedule", "csrf=\(csrf)")
            #expect(scheduled.status == 303 && scheduled.headers["location"] == "/console", "\(scheduled.status) \(scheduled.body.suffix(400))")
            #expect(try sandbox.campaignReport(draft).status == "scheduled")
        }
    }

    @Test func theReportNamesTemplateAudienceSubjectAndUnsubscribesThroughItsLinks() throws {
        try Self.withConsole { sandbox, web in
            let body = try Self.body(sandbox, "Hello {{first_name}},\n\nKronos 2 is here.\n")
            let words = try sandbox.createCampaign(["--kind", "product-news", "--subject", "Kronos 2 is here", "--body", body,
                                                    "--segment", "product:kronos", "--name", "Kronos two"])
            let own = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--name", "Shipped words", "--at", "2099-06-01T07:30:00Z"])
            #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
            #expect(try sandbox.campaignReport(words).status == "done")

            // Two of the twelve unsubscribe with their message's own one-click link.
            let messages = try Sandbox.inspectMessages(in: sandbox.mailFolder)
            let links = messages.compactMap { $0["list_unsubscribe"] as? String }.compactMap { header -> String? in
                guard let start = header.range(of: "/u/") else { return nil }
                return String(header[start.lowerBound...].prefix { $0 != ">" && $0 != "," })
            }
            #expect(links.count == 12, "\(links)")
            for link in links.prefix(2) {
                #expect(try web.post(link, form: "List-Unsubscribe=One-Click").status == 200)
            }

            let max = try ConsoleClient(web, "max@staff.example"), ada = try ConsoleClient(web, "ada@staff.example")
            let page = try max.get("/console/reports/campaigns/\(words)").body
            #expect(page.contains("<dt>Template</dt><dd>product-news</dd>"), "\(page)")
            #expect(page.contains("<dt>Audience</dt><dd>product:kronos</dd>"), "\(page)")
            #expect(page.contains("<dt>Subject</dt><dd>Kronos 2 is here</dd>"), "\(page)")
            #expect(page.contains("<dt>Unsubscribed through its links</dt><dd>fewer than 10</dd>"), "marketing: under the floor: \(page)")
            #expect(page.contains("12 sent") && page.contains(">Duplicate</button>") && !page.contains(">Edit</a>"), "started: no edit")
            #expect(page.firstMatch(of: Self.recipients) == nil)
            let admin = try ada.get("/console/reports/campaigns/\(words)").body
            #expect(admin.contains("<dt>Unsubscribed through its links</dt><dd>2</dd>"), "an administrator sees the count: \(admin)")

            // The template's own words, to everyone who agreed; not started, so its audience now and its actions.
            let shipped = try max.get("/console/reports/campaigns/\(own)").body
            #expect(shipped.contains("<dt>Subject</dt><dd><span class=\"hint\">the template&#39;s own</span></dd>"), "\(shipped)")
            #expect(shipped.contains("<dt>Audience</dt><dd>everyone who agreed to product news (12 people if it started now)</dd>"),
                    "two unsubscribed: \(shipped)")
            #expect(shipped.contains("<time datetime=\"2099-06-01T07:30:00Z\" data-local>2099-06-01 07:30 UTC</time>"))
            #expect(shipped.contains(">Edit</a>") && shipped.contains(">Cancel</button>") && shipped.contains(">Duplicate</button>"))
        }
    }

    @Test func thePreviewNamesItsTemplateAndLeadsBackToTheCampaign() throws {
        try Self.withConsole { sandbox, web in
            let max = try ConsoleClient(web, "max@staff.example")
            let plain = try max.get("/console/templates/product-news/preview").body
            #expect(plain.contains("<h1>Preview of the template \u{201C}product-news\u{201D}</h1>") && plain.contains("<p class=\"lead\">"), "\(plain.prefix(2000))")
            #expect(!plain.contains("Back to the campaign") && plain.contains("Back to the templates"))
            let fromForm = try max.get("/console/templates/product-news/preview?from=campaign").body
            #expect(fromForm.contains("<a href=\"/console/campaigns/new\" data-back=\"1\">Back to the campaign</a>"), "\(fromForm.prefix(2000))")
            #expect(fromForm.contains("<input type=\"hidden\" name=\"steps\" value=\"2\">"), "another shape is one more page back")
            let editing = try max.get("/console/templates/product-news/preview?from=campaign&campaign=7&steps=3").body
            #expect(editing.contains("<a href=\"/console/campaigns/7/edit\" data-back=\"3\">Back to the campaign</a>"))
            #expect(try max.get("/console/templates/product-news/preview?from=campaign&campaign=x%22").body.contains("href=\"/console/campaigns/new\""))
        }
    }

    /// In chromium at 1280×800 and 390×844 (with the browser in Berlin's zone): the dashboard, a report and a
    /// preview are no wider than the screen, the campaign table needs no sideways scrolling at 1280, the admin's
    /// header is one line there, due times are shown in Berlin's time, with its name. Screenshots kept in the artifacts folder.
    @Test func theDashboardFitsA1280ScreenAndAPhoneInABrowser() throws {
        try Self.withConsole { sandbox, web in
            let body = try Self.body(sandbox, "Hello {{first_name}},\n\nNews.\n")
            let done = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--segment", "product:kronos", "--name", "Kronos owners: the spring firmware update"])
            #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
            _ = try sandbox.createCampaign(["--kind", "product-news", "--subject", "Winter news for everyone", "--body", body, "--name", "Winter news for everyone", "--draft"])
            _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--segment", "product:volca", "--name", "Volca later", "--at", "2099-06-01T07:30:00Z"])
            _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--name", "Due now, nobody sends it"])
            let script = Sandbox.packageRoot.appendingPathComponent("Tests/Support/check_console_layout.py").path
            let run = try Sandbox.run("/usr/bin/env", ["python3", script, "http://127.0.0.1:\(web.port)", "ada@staff.example", ConsoleTests.password,
                                                       BrowserTests.artifacts, "/console", "/console/reports/campaigns/\(done)",
                                                       "/console/templates/product-news/preview?from=campaign"], environment: ["TZ": "Europe/Berlin"])
            let result = try run.json()
            #expect((result["overflow"] as? [String])?.isEmpty == true, "pages wider than the screen: \(result["overflow"] ?? run.stderr)")
            #expect((result["header"] as? [String])?.isEmpty == true, "the header on more than one line: \(result["header"] ?? "")")
            #expect((result["table"] as? [String])?.isEmpty == true, "the campaign table: \(result["table"] ?? "")")
            #expect((result["console"] as? [String])?.isEmpty == true, "\(result["console"] ?? "")")
            let due = result["due"] as? [[String]] ?? []
            #expect(due.contains(["2099-06-01 09:30 CEST", "Europe/Berlin time; 2099-06-01 07:30 UTC"]), "07:30 UTC in the browser's zone, named: \(due)")
            #expect(result["warning"] as? String == "shown", "\(result["warning"] ?? "")")
            let shots = result["screenshots"] as? [String: String] ?? [:]
            #expect(shots.count == 6 && shots.values.allSatisfy { $0 == "ok" }, "\(shots)")
        }
    }
}
