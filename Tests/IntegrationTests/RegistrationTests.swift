import Foundation
import Testing

/// Registration with double opt-in over real HTTP, the confirmation mail through the outbox and a real SMTP
/// server (aiosmtpd), and erasure that only the person's own confirmation undoes.
@Suite(.serialized)
struct RegistrationTests {
    /// The confirmation links in the messages in `folder`, for `address`, as Python's email package decodes them.
    static func confirmPaths(in folder: String, for address: String) throws -> [String] {
        try Sandbox.inspectMessages(in: folder).filter { ($0["to_address"] as? String) == address }.compactMap { message in
            let text = (message["parts"] as? [[String: Any]] ?? []).first { $0["type"] as? String == "text/plain" }?["content"] as? String ?? ""
            guard let start = text.range(of: "/confirm/") else { return nil }
            return String(text[start.lowerBound...].prefix { !$0.isWhitespace })
        }
    }

    static func waitFor(_ seconds: TimeInterval = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    @Test func aRegistrationIsConfirmedThroughTheMailItsLinkAndNothingBefore() throws {
        let sandbox = try Sandbox()
        let smtp = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool").path)
        defer { smtp.stop(); sandbox.remove() }
        let server = try WebServer(sandbox, smtpPort: smtp.port, arguments: ["--send"])
        defer { server.stop() }
        let page = try server.get("/register")
        #expect(page.status == 200 && page.body.contains("<label for=\"birthdate\">"), "\(page.body)")
        OneClickTests.expectEdgeHeaders(page)

        let answer = try server.post("/register", form: "email=ada%40example.com&name=Ada&birthdate=1990-04-01&purposes=product-news")
        #expect(answer.status == 200 && answer.body.contains("Check your inbox"), "\(answer.status) \(answer.body)")
        #expect(Self.waitFor { smtp.acceptedRecipients().contains("ada@example.com") }, "no confirmation mail arrived")
        let links = try Self.confirmPaths(in: smtp.spool, for: "ada@example.com")
        let link = try #require(links.first, "no /confirm/ link in the mail")
        // Until confirmed nothing is granted.
        let before = try sandbox.herald(["recipients", "export", "ada@example.com"]).json()
        #expect((before["consents"] as? [Any])?.isEmpty == true, "\(before)")

        let confirmPage = try server.get(link)
        #expect(confirmPage.status == 200 && confirmPage.body.contains("<form method=\"post\" action=\"\(link)\">"), "\(confirmPage.body)")
        #expect((try sandbox.herald(["recipients", "export", "ada@example.com"]).json()["consents"] as? [Any])?.isEmpty == true,
                "a GET (a link scanner) confirms nothing")
        let confirmed = try server.post(link, form: "")
        #expect(confirmed.status == 200 && confirmed.body.contains("Your registration is confirmed"), "\(confirmed.body)")
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com") == ["product-news grant form"])
        #expect(try server.post(link, form: "").status == 404, "a link confirms once")
    }

    @Test func theAnswerIsTheSameForKnownNewAndChildAndAChildLeavesNoTrace() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "known@example.com", "--consent", "promotions"]).status == 0)
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        let known = try server.post("/register", form: "email=known%40example.com&birthdate=1980-01-01&purposes=product-news")
        let new = try server.post("/register", form: "email=new%40example.com&birthdate=1980-01-01&purposes=product-news")
        let child = try server.post("/register", form: "email=kid.zq7%40example.com&name=Kiddo+Zq7&birthdate=\(year - 10)-06-01&purposes=promotions")
        let again = try server.post("/register", form: "email=new%40example.com&birthdate=1980-01-01&purposes=promotions")
        for answer in [known, new, child, again] {
            #expect(answer.status == 200 && answer.body == new.body, "\(answer.status) \(answer.body)")
        }
        #expect(!new.body.contains("13"), "the page never reveals the cut-off")
        let json = try server.post("/register", body: "{\"email\": \"kid2.zq7@example.com\", \"birthdate\": \"\(year - 5)-01-01\", \"purposes\": [\"promotions\"]}",
                                   contentType: "application/json")
        #expect(json.status == 202 && json.body.contains("received"))
        // Nothing about the children anywhere: database, its WAL, the outbox, the server's log.
        for trace in ["kid.zq7", "kid2.zq7", "Kiddo", "Zq7"] {
            #expect(sandbox.databaseFiles().range(of: Data(trace.utf8)) == nil, "\(trace) reached the database")
            #expect(!server.serverLog().contains(trace))
        }
        // At most one confirmation mail per address per hour: new@ asked twice, one job.
        let campaigns = try sandbox.herald(["campaign", "list", "--json"]).json(as: [[String: Any]].self)
        let confirmations = try #require(campaigns.first { $0["kind"] as? String == "confirmation" })
        #expect((confirmations["counts"] as? [String: Int])?["queued"] == 2, "known@ and new@, once each: \(confirmations)")
        // Bad input is named; nothing is stored for it.
        let bad = try server.post("/register", form: "email=not-an-address&birthdate=1980-01-01&purposes=promotions")
        #expect(bad.status == 400 && bad.body.contains("invalid email address"))
        #expect(try server.post("/register", form: "email=x%40example.com&purposes=promotions").status == 400, "the birth date is asked")
        // An error an adult's registration gets, a child's gets too: no answer tells where the cut-off lies.
        let adultWithout = try server.post("/register", form: "email=a1%40example.com&birthdate=1980-01-01")
        let childWithout = try server.post("/register", form: "email=c1%40example.com&birthdate=\(year - 10)-01-01")
        #expect(adultWithout.status == 400 && childWithout.status == adultWithout.status && childWithout.body == adultWithout.body)
        let adultProduct = try server.post("/register", form: "email=a2%40example.com&birthdate=1980-01-01&purposes=promotions&products=Bad+Product")
        let childProduct = try server.post("/register", form: "email=c2%40example.com&birthdate=\(year - 10)-01-01&purposes=promotions&products=Bad+Product")
        #expect(adultProduct.status == 400 && childProduct.body == adultProduct.body)
    }

    /// Promise: erasure stays erasure. Adding, granting or importing the address again is refused; only the
    /// person's own confirmation of an invitation brings them back.
    @Test func anErasedAddressComesBackOnlyThroughItsOwnConfirmation() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "promotions"]).status == 0)
        #expect(try sandbox.herald(["recipients", "erase", "ada@example.com"]).status == 0)

        let added = try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "promotions"])
        #expect(added.status == 65 && added.stderr.contains("herald recipients invite"), "\(added.stderr)")
        #expect(added.stderr.split(separator: "\n").count == 1)
        let csv = sandbox.folder.appendingPathComponent("back.csv").path
        try "email,consents\nada@example.com,promotions\nbob@example.com,promotions\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = try sandbox.herald(["recipients", "import", csv])
        #expect(imported.status == 65 && imported.stderr.contains("herald recipients invite") && !imported.stderr.contains("ada@"), "\(imported.stderr)")
        _ = try sandbox.createCampaign(["--kind", "promotion", "--template", "promotion"])
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let first = try Sandbox.inspectMessages(in: sandbox.mailFolder).compactMap { $0["to_address"] as? String }
        #expect(first == ["bob@example.com"], "\(first)")

        let invited = try sandbox.herald(["recipients", "invite", "ada@example.com", "--consent", "promotions"])
        #expect(invited.status == 0 && invited.stdout.contains("confirmation mail queued"), "\(invited.stderr)")
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let link = try #require(try Self.confirmPaths(in: sandbox.mailFolder, for: "ada@example.com").first, "no confirmation mail for ada")
        #expect(try server.post(link, form: "").status == 200)
        _ = try sandbox.createCampaign(["--kind", "promotion", "--template", "promotion"])
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let promotions = try Sandbox.inspectMessages(in: sandbox.mailFolder).filter { ($0["subject"] as? String)?.contains("confirm") != true }
            .compactMap { $0["to_address"] as? String }
        #expect(promotions.sorted() == ["ada@example.com", "bob@example.com", "bob@example.com"], "\(promotions)")
    }
}
