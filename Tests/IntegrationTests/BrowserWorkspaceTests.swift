import Foundation
import Testing

/// The campaign workspace in a real browser (chromium + selenium, Tests/Support/browse_workspace.py): a marketer
/// in Berlin writes a promotion with the editor's toolbar, sees the real message in the live preview, is told the
/// line of an unknown variable, saves a draft, duplicates it, edits the copy and schedules it in their own zone,
/// and watches it send while a worker runs; aiosmtpd receives exactly those words in both parts, with the frame's
/// unsubscribe link, postal address and ADVERTISEMENT line, for each person's own first name.
@Suite(.serialized)
struct BrowserWorkspaceTests {
    static let people = """
        email,name,first_name,country,consents
        p1@example.com,"Petrov, Ivan",,DE,promotions
        p2@example.com,Ada Lovelace,Augusta,AT,promotions
        p3@example.com,Grace Hopper,,US,promotions
        p4@example.com,Linus Example,,FI,product-news
        """

    @Test func aMarketerWritesPreviewsDraftsDuplicatesAndSchedulesAPromotionInABrowser() throws {
        let sandbox = try Sandbox()
        let spool = sandbox.folder.appendingPathComponent("spool").path
        let smtp = try SMTPTestServer(spool: spool)
        let server = try WebServer(sandbox, smtpPort: smtp.port, extra: "recipients:\n  attributes: [first_name, country]\n")
        defer { server.stop(); smtp.stop(); sandbox.remove() }
        let file = sandbox.folder.appendingPathComponent("people.csv").path
        try Self.people.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try sandbox.herald(["recipients", "import", file]).status == 0)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: ConsoleTests.password + "\n").status == 0)
        let worker = try sandbox.startHerald(["worker"], log: "worker.err")
        defer { worker.terminate(); worker.waitUntilExit() }
        let script = Sandbox.packageRoot.appendingPathComponent("Tests/Support/browse_workspace.py").path
        let run = try Sandbox.run("/usr/bin/env", ["python3", script, "http://127.0.0.1:\(server.port)", "max@staff.example", ConsoleTests.password,
                                                   BrowserTests.artifacts])
        let result = try run.json()
        let steps = result["steps"] as? [String: String] ?? [:]
        #expect(steps["zone"] == "Europe/Berlin", "the browser's zone is chosen: \(steps["zone"] ?? run.stderr)")
        #expect(steps["templates"] == "promotion", "only the chosen kind's templates: \(steps["templates"] ?? "")")
        let typed = result["typed"] as? String ?? ""
        #expect(typed == "Hello {{first_name}},\n\nThe **Opsix** is 20 % off.\n\n- free shipping\n- two years of warranty\n\n[Shop now](https://shop.example.com/opsix)",
                "the toolbar wrote Markdown: \(typed)")
        #expect(steps["preview-subject"]?.hasSuffix(", the Opsix is 20 % off") == true && steps["preview-text"]?.contains("- free shipping") == true,
                "\(steps["preview-subject"] ?? "") \(steps["preview-text"] ?? "")")
        #expect(steps["preview-text"]?.contains("ADVERTISEMENT") == true, "the frame's parts are in the preview")
        let frame = steps["frame-html"] ?? ""
        #expect(frame.contains("<strong>Opsix</strong>") && frame.contains("<li>free shipping</li>") && frame.contains("href=\"https://shop.example.com/opsix\""), "\(frame.prefix(400))")
        #expect(steps["frame-sandbox"] == "" && steps["frame-phone"] == "390" && steps["frame-desktop"] == "800" && steps["frame-fits"] == "true", "\(steps)")
        #expect(steps["url-after-preview"]?.hasSuffix("/console/campaigns/new") == true, "the preview did not leave the form")
        #expect(steps["live-problem"]?.contains("body:9: {{frist_name}}") == true || steps["live-problem"]?.contains("Body:9: {{frist_name}}") == true,
                "\(steps["live-problem"] ?? "")")
        #expect(steps["refused"]?.contains("body:9: {{frist_name}}") == true && steps["kept"] == "{{first_name}}, the Opsix is 20 % off", "\(steps["refused"] ?? "")")
        #expect(steps["draft"]?.contains("Saved as a draft.") == true, "\(steps["draft"] ?? "")")
        #expect(steps["copy-zone"] == "Europe/Berlin" && steps["copy-url"] != steps["draft-url"], "\(steps)")
        #expect(steps["finished"]?.contains("done") == true, "\(steps["finished"] ?? "")")
        let shots = result["screenshots"] as? [String: String] ?? [:]
        #expect(shots.count >= 8 && shots["workspace-preview-390-preview"] == "ok" && shots.values.allSatisfy { $0 == "ok" }, "\(shots)")
        #expect((result["unlabelled"] as? [String])?.isEmpty == true, "\(result["unlabelled"] ?? "")")
        #expect((result["addresses"] as? [String])?.isEmpty == true, "\(result["addresses"] ?? "")")
        #expect((result["overflow"] as? [String])?.isEmpty == true, "\(result["overflow"] ?? "")")
        #expect((result["console"] as? [String])?.isEmpty == true, "\(result["console"] ?? "")")

        // Scheduled in Berlin time: stored as that instant in UTC. The original stays a draft.
        let list = try sandbox.herald(["campaign", "list", "--json"]).json(as: [[String: Any]].self)
        let copy = try #require(list.first { $0["name"] as? String == "Opsix last days" }, "\(list)")
        #expect(copy["due_at"] as? String == result["due_utc"] as? String, "\(copy) \(result["due_utc"] ?? "")")
        #expect(list.first { $0["name"] as? String == "Opsix sale" }?["status"] as? String == "draft")

        // What the promotions' people received: those words, their own first name, and the frame.
        let messages = try Sandbox.inspectMessages(in: spool)
        let firstNames = ["p1@example.com": "Ivan", "p2@example.com": "Augusta", "p3@example.com": "Grace"]
        #expect(messages.compactMap { $0["to_address"] as? String }.sorted() == firstNames.keys.sorted())
        for message in messages {
            let first = try #require(firstNames[message["to_address"] as? String ?? ""])
            #expect(message["subject"] as? String == "\(first), the Opsix is 20 % off" && (message["defects"] as? [String])?.isEmpty == true)
            let parts = message["parts"] as? [[String: Any]] ?? []
            let text = (parts.first { $0["type"] as? String == "text/plain" }?["content"] as? String ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            let html = parts.first { $0["type"] as? String == "text/html" }?["content"] as? String ?? ""
            #expect(text.contains("Hello \(first),\n\nThe Opsix is 20 % off.\n\n- free shipping\n- two years of warranty") && text.contains("Shop now [1]")
                    && text.contains("[1] https://shop.example.com/opsix"), "\(text.debugDescription)")
            #expect(html.contains("<p>Hello \(first),</p>") && html.contains("<strong>Opsix</strong>") && html.contains("<li>two years of warranty</li>")
                    && html.contains("<a href=\"https://shop.example.com/opsix\">Shop now</a>") && html.contains("Three days left"), "\(html)")
            for part in [text, html] {
                #expect(part.contains("ADVERTISEMENT") && part.contains("Example Ltd, 1 Sample Street, Exampletown")
                        && part.contains("http://127.0.0.1:\(server.port)/u/"), "the frame")
            }
        }
    }
}
