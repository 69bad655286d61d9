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

    /// A form page with its proof-of-work challenge (fresh on every page) blanked, to compare two pages' words.
    static func withoutChallenge(_ page: String) -> String {
        page.replacingOccurrences(of: #"(data-challenge=|data-max=|name="challenge_(salt|signature)" value=)"[^"]*""#, with: "$1\"\"",
                                  options: .regularExpression)
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
        // Until confirmed no person is stored: the request waits apart from the consent store (and an access
        // request shows it as such).
        func stored() throws -> (person: Bool, waiting: Int) {
            let export = try sandbox.herald(["recipients", "export", "ada@example.com"]).json()
            return (export["recipient"] != nil && !(export["recipient"] is NSNull), (export["waiting_registrations"] as? [Any])?.count ?? 0)
        }
        #expect(try stored() == (false, 1), "no person before the confirmation")

        let confirmPage = try server.get(link)
        #expect(confirmPage.status == 200 && confirmPage.body.contains("<form method=\"post\" action=\"\(link)\">"), "\(confirmPage.body)")
        #expect(try stored() == (false, 1), "a GET (a link scanner) confirms nothing")
        let confirmed = try server.post(link, form: "")
        #expect(confirmed.status == 200 && confirmed.body.contains("Your registration is confirmed"), "\(confirmed.body)")
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com") == ["product-news grant form"])
        let again = try server.post(link, form: "")
        #expect(again.status == 200 && again.body.contains("confirmed already"), "a link confirms once, and says so after")
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com") == ["product-news grant form"])
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
        // Each submission is a request of its own with its own mail (within the limits): known@ once, new@ twice.
        let campaigns = try sandbox.herald(["campaign", "list", "--json"]).json(as: [[String: Any]].self)
        let confirmations = try #require(campaigns.first { $0["kind"] as? String == "confirmation" })
        #expect((confirmations["counts"] as? [String: Int])?["queued"] == 3, "\(confirmations)")
        // Bad input is named; nothing is stored for it.
        let bad = try server.post("/register", form: "email=not-an-address&birthdate=1980-01-01&purposes=promotions")
        #expect(bad.status == 400 && bad.body.contains("invalid email address"))
        #expect(try server.post("/register", form: "email=x%40example.com&purposes=promotions").status == 400, "the birth date is asked")
        // An error an adult's registration gets, a child's gets too: no answer tells where the cut-off lies. (A
        // refused form gives back what was typed: the two differ only there.)
        let adultWithout = try server.post("/register", form: "email=a1%40example.com&birthdate=1980-01-01")
        let childWithout = try server.post("/register", form: "email=a1%40example.com&birthdate=\(year - 10)-01-01")
        #expect(adultWithout.status == 400 && childWithout.status == adultWithout.status
                && Self.withoutChallenge(childWithout.body) == Self.withoutChallenge(adultWithout.body).replacingOccurrences(of: "1980-01-01", with: "\(year - 10)-01-01"))
        let adultProduct = try server.post("/register", form: "email=a2%40example.com&birthdate=1980-01-01&purposes=promotions&products=Bad+Product")
        let childProduct = try server.post("/register", form: "email=a2%40example.com&birthdate=\(year - 10)-01-01&purposes=promotions&products=Bad+Product")
        #expect(adultProduct.status == 400 && Self.withoutChallenge(childProduct.body)
                == Self.withoutChallenge(adultProduct.body).replacingOccurrences(of: "1980-01-01", with: "\(year - 10)-01-01"))
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

    /// The form is no mail cannon: forty posts for subaddresses of one mailbox and a dozen dotted spellings of
    /// one Gmail address get the same answer each, and each mailbox gets at most `register.limits.per_mailbox`
    /// (3) confirmation mails.
    @Test func aSubaddressFloodGivesAMailboxAtMostThreeMails() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        let subaddresses = (1...40).map { "victim%2B\($0)%40example.com" }
        let dotted = ["v.ictim", "vi.ctim", "vic.tim", "vict.im", "victi.m", "v.i.c.t.i.m", "V.Ictim", "victim", "vi.c.tim", "v.ic.tim", "victim%2Bx", "v.ictim%2By"]
            .map { "\($0)%40gmail.com" } + ["victim%40googlemail.com"]
        var bodies: Set<String> = []
        for address in subaddresses + dotted {
            let answer = try server.post("/register", form: "email=\(address)&birthdate=1980-01-01&purposes=promotions")
            #expect(answer.status == 200, "\(answer.status)")
            bodies.insert(answer.body)
        }
        #expect(bodies.count == 1, "every answer is the same page")
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let recipients = try Sandbox.inspectMessages(in: sandbox.mailFolder).compactMap { $0["to_address"] as? String }
        #expect(recipients.filter { $0.hasSuffix("@example.com") }.count == 3, "\(recipients)")
        #expect(recipients.filter { $0.hasSuffix("@gmail.com") || $0.hasSuffix("@googlemail.com") }.count == 3, "\(recipients)")
    }

    /// A stranger cannot bring an erased person back: registering the address stores no person, and only the
    /// confirmation link applies a submission, that submission's own data; a second submission with another
    /// name changes nothing that the first one's link applies.
    @Test func aStrangerCannotBringAnErasedPersonBackNorChangeWhatALinkApplies() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: "register:\n  products: [kronos, prank]\n")
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--name", "Ada", "--consent", "promotions"]).status == 0)
        #expect(try sandbox.herald(["recipients", "erase", "ada@example.com"]).status == 0)
        let first = try server.post("/register", form: "email=ada%40example.com&name=Firstzq&birthdate=1980-01-01&purposes=promotions&products=kronos")
        let second = try server.post("/register", form: "email=ada%40example.com&name=Secondzq&birthdate=1970-01-01&purposes=promotions&purposes=product-news&products=prank")
        #expect(first.status == 200 && second.body == first.body)
        let waiting = try sandbox.herald(["recipients", "export", "ada@example.com"]).json()
        #expect(waiting["recipient"] == nil || waiting["recipient"] is NSNull, "not back in recipients: \(waiting)")
        #expect((waiting["waiting_registrations"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Firstzq", "Secondzq"],
                "an access request shows what the stranger's submissions hold: \(waiting)")
        #expect((waiting["suppression"] as? [String: Any])?["reason"] as? String == "erased")

        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let links = try Self.confirmPaths(in: sandbox.mailFolder, for: "ada@example.com")
        #expect(links.count == 2, "one mail per submission: \(links)")
        let (firstLink, secondLink) = (try #require(links.first), try #require(links.last))
        // The mails went out in the order asked for (job ids); which link is whose is read from its page.
        let firstPage = try server.get(firstLink), secondPage = try server.get(secondLink)
        let link = secondPage.body.contains("news about the products") ? firstLink : secondLink
        #expect(firstPage.status == 200 && secondPage.status == 200)
        #expect(try server.post(link, form: "").status == 200)
        let back = try sandbox.herald(["recipients", "export", "ada@example.com"]).json()
        let person = try #require(back["recipient"] as? [String: Any], "\(back)")
        #expect(person["name"] as? String == "Firstzq" && person["birth_year"] as? Int == 1980, "\(person)")
        #expect(back["products"] as? [String] == ["kronos"])
        #expect((back["consents"] as? [[String: Any]])?.compactMap { $0["purpose"] as? String } == ["promotions"])
        #expect(back["suppression"] == nil || back["suppression"] is NSNull, "the confirmation lifted the erasure")
    }
}
