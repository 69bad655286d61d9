import Foundation
import Testing

/// The privacy-policy flow end to end: `herald policy publish`, the notice through the outbox to a real SMTP
/// server (aiosmtpd), each person's accept or decline through the page's own form in a real browser, the
/// choice in `recipients export` with the version, and a purpose added by the version reaching only those who
/// accepted.
@Suite(.serialized)
struct PolicyNoticeTests {
    static func choicePath(in folder: String, for address: String) throws -> String? {
        try Sandbox.inspectMessages(in: folder).filter { ($0["to_address"] as? String) == address }.compactMap { message -> String? in
            let text = (message["parts"] as? [[String: Any]] ?? []).first { $0["type"] as? String == "text/plain" }?["content"] as? String ?? ""
            guard let start = text.range(of: "/policy/") else { return nil }
            return String(text[start.lowerBound...].prefix { !$0.isWhitespace })
        }.first
    }

    static func isoDay(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    @Test func aMaterialChangeIsAnnouncedToEveryoneStoredAndChosenByEach() throws {
        let sandbox = try Sandbox()
        let smtp = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool").path)
        defer { smtp.stop(); sandbox.remove() }
        try sandbox.writeConfiguration(smtpPort: smtp.port)
        let people: [(String, [String])] = [
            ("ada@example.com", ["--consent", "product-news", "--consent", "promotions"]),
            ("bob@example.com", ["--consent", "product-news"]),
            ("gina@example.com", ["--consent", "promotions"]),       // says nothing: her old consent no longer counts
            ("otto@example.com", ["--consent", "product-news"]),     // opts out of everything, still told
            ("bea@example.com", ["--consent", "product-news"]),      // bounced
            ("cole@example.com", ["--consent", "product-news"]),     // complained
            ("erin@example.com", ["--consent", "product-news"]),     // erased
        ]
        for (email, consents) in people {
            #expect(try sandbox.herald(["recipients", "add", email] + consents).status == 0)
        }
        #expect(try sandbox.herald(["suppress", "otto@example.com", "--reason", "unsubscribed-all"]).status == 0)
        #expect(try sandbox.herald(["suppress", "bea@example.com", "--reason", "bounced"]).status == 0)
        #expect(try sandbox.herald(["suppress", "cole@example.com", "--reason", "complaint"]).status == 0)
        #expect(try sandbox.herald(["recipients", "erase", "erin@example.com"]).status == 0)

        let summary = sandbox.folder.appendingPathComponent("summary.txt")
        try "From February we would also like to send you invitations to our events.\n\nNothing else changes.\n".write(to: summary, atomically: true, encoding: .utf8)
        let effective = Self.isoDay(Date().addingTimeInterval(35 * 86_400))
        let publish = ["policy", "publish", "--version", "2027-02", "--summary", summary.path, "--material", "--effective", effective,
                       "--adds-purpose", "promotions"]
        let tooSoon = try sandbox.herald(Array(publish.dropLast(4)) + ["--effective", Self.isoDay(Date())])
        #expect(tooSoon.status == 65 && tooSoon.stderr.contains("policy.notice_days"), "\(tooSoon.stderr)")
        let published = try sandbox.herald(publish)
        #expect(published.status == 0 && published.stdout.contains("published policy version 2027-02"), "\(published.stderr)")
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let notified = ["ada@example.com", "bob@example.com", "gina@example.com", "otto@example.com"]
        #expect(smtp.acceptedRecipients().sorted() == notified, "opted-out people are told; erased, bounced, complained ones are not even tried")
        let campaigns = try sandbox.herald(["campaign", "list", "--json"]).json(as: [[String: Any]].self)
        let notice = try #require(campaigns.first { $0["kind"] as? String == "policy-change" })
        #expect(notice["policy_version"] as? String == "2027-02")
        #expect((notice["counts"] as? [String: Int])?["sent"] == 4 && (notice["counts"] as? [String: Int])?["skipped"] == 0, "\(notice)")

        // Publishing again mails nobody twice.
        let again = try sandbox.herald(publish)
        #expect(again.status == 0 && again.stdout.contains("published already"), "\(again.stdout)")
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        #expect(smtp.acceptedRecipients().count == 4)

        // Every notice is a relationship message: no one-click header, a preferences link, the choice link.
        for message in try Sandbox.inspectMessages(in: smtp.spool) {
            #expect(message["list_unsubscribe"] is NSNull || message["list_unsubscribe"] == nil, "\(message["to"] ?? "")")
            #expect((message["defects"] as? [Any])?.isEmpty == true)
        }
        let server = try WebServer(sandbox, smtpPort: smtp.port)
        defer { server.stop() }
        let accept = try #require(try Self.choicePath(in: smtp.spool, for: "ada@example.com"))
        let decline = try #require(try Self.choicePath(in: smtp.spool, for: "bob@example.com"))
        #expect(try server.get(accept).status == 200)
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com").last == "promotions revoke policy", "a GET changes nothing")
        let noForm = try server.post(accept, form: "choice=accept")
        #expect(noForm.status == 403, "a POST without the page's CSRF value changes nothing")

        let html = (try Sandbox.inspectMessages(in: smtp.spool).first { ($0["to_address"] as? String) == "ada@example.com" }?["parts"] as? [[String: Any]])?
            .first { $0["type"] as? String == "text/html" }?["content"] as? String ?? ""
        let mailFile = sandbox.folder.appendingPathComponent("notice.html")
        try html.write(to: mailFile, atomically: true, encoding: .utf8)
        let script = Sandbox.packageRoot.appendingPathComponent("Tests/Support/browse_policy.py").path
        let run = try Sandbox.run("/usr/bin/env", ["python3", script, "http://127.0.0.1:\(server.port)", BrowserTests.artifacts,
                                                  "ada=accept:\(accept)", "bob=decline:\(decline)", "--mail", "policy-change=\(mailFile.path)"])
        let result = try run.json()
        let steps = result["steps"] as? [String: String] ?? [:]
        #expect(steps["ada"]?.contains("Version 2027-02 of our privacy policy takes effect") == true, "\(steps)")
        #expect(steps["ada-done"]?.contains("you accepted version 2027-02") == true, "\(steps)")
        #expect(steps["bob-done"]?.contains("You declined version 2027-02") == true, "\(steps)")
        #expect(steps["policy"]?.contains("invitations to our events") == true, "\(steps)")
        #expect((result["screenshots"] as? [String: String] ?? [:]).values.allSatisfy { $0 == "ok" }, "\(result["screenshots"] ?? "")")
        #expect((result["screenshots"] as? [String: String] ?? [:]).count == 7)
        #expect((result["console"] as? [String])?.isEmpty == true, "\(result["console"] ?? "")")

        // The choices are in the ledger with the version and the hash of what the page said.
        let ledger = try sandbox.herald(["recipients", "export", "ada@example.com"]).json()["consent_ledger"] as? [[String: Any]] ?? []
        let choice = try #require(ledger.last)
        #expect(choice["action"] as? String == "accept" && choice["policy_version"] as? String == "2027-02"
                && choice["purpose"] as? String == "promotions" && (choice["notice_hash"] as? String)?.count == 64, "\(choice)")
        let declined = try sandbox.herald(["recipients", "export", "bob@example.com"]).json()["consent_ledger"] as? [[String: Any]] ?? []
        #expect(declined.last?["action"] as? String == "decline" && declined.last?["policy_version"] as? String == "2027-02", "\(declined)")

        // The purpose the version adds reaches only the one who accepted.
        #expect(try sandbox.herald(["campaign", "create", "--kind", "promotion", "--template", "promotion"]).status == 0)
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        #expect(Array(smtp.acceptedRecipients().dropFirst(4)) == ["ada@example.com"], "\(smtp.acceptedRecipients())")

        // The web's prominent notice.
        let page = try server.get("/policy")
        #expect(page.status == 200 && page.body.contains("Version 2027-02") && page.body.contains("Nothing else changes."), "\(page.body)")
    }

    @Test func templatesCheckReportsEachProblemWithItsFileAndLine() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let templates = sandbox.folder.appendingPathComponent("Templates")
        try FileManager.default.copyItem(at: Sandbox.packageRoot.appendingPathComponent("Templates"), to: templates)
        try sandbox.writeConfiguration(extra: "")
        let yaml = try String(contentsOfFile: sandbox.configPath, encoding: .utf8)
            .replacingOccurrences(of: Sandbox.packageRoot.appendingPathComponent("Templates").path, with: templates.path)
        try yaml.write(toFile: sandbox.configPath, atomically: true, encoding: .utf8)
        let good = try sandbox.herald(["templates", "check"])
        #expect(good.status == 0 && good.stdout.contains("no problems"), "\(good.stdout)\(good.stderr)")
        try "{{campaign.name}} {{recipient.nmae}}\n".write(to: templates.appendingPathComponent("promotion/subject.mustache"), atomically: true, encoding: .utf8)
        let bad = try sandbox.herald(["templates", "check"])
        #expect(bad.status == 65)
        #expect(bad.stdout.contains(templates.path + "/promotion/subject.mustache:1: unknown variable {{recipient.nmae}}"), "\(bad.stdout)")
        #expect(bad.stderr.contains("herald: error: 1 problem in"), "\(bad.stderr)")
        let preview = try sandbox.herald(["templates", "preview", "product-news", "--output", sandbox.folder.appendingPathComponent("look").path])
        #expect(preview.status == 0)
        let text = try String(contentsOfFile: sandbox.folder.appendingPathComponent("look/product-news.txt").path, encoding: .utf8)
        #expect(text.hasPrefix("Subject: Preview for Ada") && text.contains("Unsubscribe with one click: https://mail.example.com/u/"), "\(text)")
    }
}
