import Foundation
import Testing

/// The unsubscribe, preferences and registration pages in a real browser (chromium, driven by selenium), on a phone-sized
/// window: the button reached and pressed by keyboard, labels clicked, every input labelled, the stylesheet
/// applied under the strict Content-Security-Policy, no console errors. A screenshot of each page is kept in
/// `.build/test-artifacts/pages/` and checked not blank.
@Suite(.serialized)
struct BrowserTests {
    static let artifacts = Sandbox.packageRoot.appendingPathComponent(".build/test-artifacts/pages").path

    @Test func unsubscribeAndPreferencesWorkInABrowser() throws {
        let sandbox = try Sandbox()
        // Registrations without a solved proof of work get no mail here: the browser's must solve it.
        let server = try WebServer(sandbox, extra: "register:\n  limits:\n    without_challenge: 0\n")
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "product-news"]).status == 0)
        let path = try OneClickTests.unsubscribePath(sandbox, "ada@example.com", "product-news")
        let script = Sandbox.packageRoot.appendingPathComponent("Tests/Support/browse_pages.py").path
        let run = try Sandbox.run("/usr/bin/env", ["python3", script, "http://127.0.0.1:\(server.port)", path, Self.artifacts])
        let result = try run.json()
        let steps = result["steps"] as? [String: String] ?? [:]
        #expect(steps["keyboard"] == nil, "\(steps["keyboard"] ?? "")")
        #expect(steps["unsubscribe"]?.contains("Do you want to stop receiving") == true, "\(steps)")
        #expect(steps["unsubscribed"]?.contains("You will no longer receive") == true, "\(steps)")
        #expect(steps["preferences"]?.contains("Events and promotions") == true, "\(steps)")
        // Reached from an unsubscribe link, the page withdraws but does not grant: the topic is asked for by mail.
        #expect(steps["saved"]?.contains("we sent a mail to your address") == true && steps["saved"]?.hasSuffix("checked: ") == true, "\(steps)")
        #expect(steps["registered"]?.contains("a mail is on its way") == true, "\(steps)")
        #expect((result["screenshots"] as? [String: String] ?? [:]) == ["unsubscribe": "ok", "unsubscribed": "ok", "preferences": "ok",
                                                                       "preferences-saved": "ok", "register": "ok", "registered": "ok"],
                "\(result["screenshots"] ?? "")")
        #expect((result["unlabelled"] as? [String])?.isEmpty == true, "\(result["unlabelled"] ?? "")")
        #expect(result["styled"] as? Bool == true, "the stylesheet did not apply")
        #expect((result["console"] as? [String])?.isEmpty == true, "\(result["console"] ?? "")")
        // What the browser did is what the ledger says.
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com")
                == ["product-news grant admin", "product-news revoke one-click"])
        // The browser solved the registration's proof of work (its script, Web Crypto): grace's confirmation goes
        // out although unsolved registrations get none here; so does ada's, for the topic she chose.
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let mailed = try Sandbox.inspectMessages(in: sandbox.mailFolder).compactMap { $0["to_address"] as? String }.sorted()
        #expect(mailed == ["ada@example.com", "grace@example.org"], "\(mailed)")
        // The form's registration waits for its confirmation, and until then no person is stored: the request
        // keeps the address to send that mail, and an access request shows it, not as a person.
        let grace = try sandbox.herald(["recipients", "export", "grace@example.org"]).json()
        #expect(grace["recipient"] == nil && (grace["consents"] as? [Any])?.isEmpty == true, "\(grace)")
        let waiting = grace["waiting_registrations"] as? [[String: Any]] ?? []
        #expect(waiting.count == 1 && waiting.first?["name"] as? String == "Grace" && waiting.first?["mail"] as? String == "sent", "\(grace)")
    }

    /// The staff console in a real browser: a marketing user signs in, builds a segment (a product ticked, its
    /// audience counted by the console's script), previews its message and test-sends it to their own address
    /// (received by aiosmtpd), schedules a campaign a few seconds ahead and watches the dashboard reach "done"
    /// while a worker sends it, cancels another, and looks at the templates, reports and a campaign's chart; an
    /// administrator looks one person up and erases them. No marketing page shows a recipient's address; every
    /// control has a label; no console error; screenshots kept and checked not blank.
    @Test func consoleStaffScheduleWatchTestSendAndEraseInABrowser() throws {
        let sandbox = try Sandbox()
        let smtp = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool").path)
        let server = try WebServer(sandbox, smtpPort: smtp.port)
        defer { server.stop(); smtp.stop(); sandbox.remove() }
        let csv = "email,products,consents\n" + (1...14).map { "p\($0)@example.com,\($0 <= 11 ? "kronos" : "volca"),product-news\n" }.joined()
        let file = sandbox.folder.appendingPathComponent("people.csv").path
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try sandbox.herald(["recipients", "import", file]).status == 0)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: ConsoleTests.password + "\n").status == 0)
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: ConsoleTests.password + "\n").status == 0)
        let worker = try sandbox.startHerald(["worker"], log: "worker.err")
        defer { worker.terminate(); worker.waitUntilExit() }
        let script = Sandbox.packageRoot.appendingPathComponent("Tests/Support/browse_console.py").path
        let run = try Sandbox.run("/usr/bin/env", ["python3", script, "http://127.0.0.1:\(server.port)", "max@staff.example", ConsoleTests.password,
                                                   "ada@staff.example", ConsoleTests.password, "p3@example.com", Self.artifacts])
        let result = try run.json()
        let steps = result["steps"] as? [String: String] ?? [:]
        #expect(steps["counted"] == "11 people would receive it now.", "\(steps["counted"] ?? run.stderr)")
        #expect(steps["preview"]?.contains("Header fields") == true && steps["preview"]?.contains("There is news about kronos") == true,
                "\(steps["preview"] ?? "")")
        #expect(steps["test-send"]?.hasPrefix("Sent to max@staff.example") == true, "\(steps["test-send"] ?? "")")
        #expect(steps["finished"]?.contains("done") == true && steps["finished"]?.contains("11") == true, "\(steps["finished"] ?? "")")
        #expect(steps["finished"]?.contains("/min") == true, "the dashboard shows the rate: \(steps["finished"] ?? "")")
        #expect(steps["cancelled"]?.contains("cancelled") == true, "\(steps["cancelled"] ?? "")")
        #expect(Int(steps["chart-bars"] ?? "") ?? 0 > 0, "the campaign's chart has bars: \(steps["chart-bars"] ?? "")")
        #expect(steps["looked-up"]?.contains("What is stored") == true && steps["erased"]?.contains("Erased") == true, "\(steps["erased"] ?? "")")
        let shots = result["screenshots"] as? [String: String] ?? [:]
        #expect(shots.count == 16 && shots.values.allSatisfy { $0 == "ok" }, "\(shots)")
        #expect((result["unlabelled"] as? [String])?.isEmpty == true, "\(result["unlabelled"] ?? "")")
        #expect((result["addresses"] as? [String])?.isEmpty == true, "recipient addresses on marketing pages: \(result["addresses"] ?? "")")
        #expect(result["styled"] as? Bool == true)
        #expect((result["console"] as? [String])?.isEmpty == true, "\(result["console"] ?? "")")
        #expect((result["overflow"] as? [String])?.isEmpty == true, "pages wider than a phone: \(result["overflow"] ?? "")")
        // What the dashboard said is what the SMTP server received: the eleven Kronos owners once each, and the test.
        let received = smtp.acceptedRecipients()
        #expect(Set(received) == Set((1...11).map { "p\($0)@example.com" } + ["max@staff.example"]) && received.count == 12, "\(received)")
        let erased = try sandbox.herald(["recipients", "export", "p3@example.com"]).json()
        #expect(erased["recipient"] == nil && (erased["suppression"] as? [String: Any])?["reason"] as? String == "erased", "\(erased)")
    }
}
