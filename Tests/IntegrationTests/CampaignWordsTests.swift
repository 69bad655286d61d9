import Foundation
import TestDatabases
import Testing

/// A campaign that brings its own words, through the real binary on both backends: a marketer's Markdown
/// (a link, a list, `{{first_name}}`, a personal field) saved as a draft, copied, edited and scheduled; the worker
/// sends it through libcurl to aiosmtpd, and Python's email package finds exactly those words in both parts with
/// the frame's unsubscribe link, postal address and ADVERTISEMENT line, for each person's own first name.
@Suite(.serialized)
struct CampaignWordsCommandTests {
    static let body = """
        # Opsix winter sale

        Hello {{first_name}},

        The **Opsix** is 20 % off until Sunday:

        - free shipping
        - two years of warranty

        Your code is {{attributes.upgrade_code}}. [Shop now](https://shop.example.com/opsix?code={{attributes.upgrade_code}})
        """

    static let people = """
        email,name,first_name,upgrade_code,country,consents
        ivan@example.com,"Petrov, Ivan",,UP-111,DE,promotions
        ada@example.org,Ada Lovelace,Augusta,UP-222,AT,promotions
        grace@example.net,Grace Hopper,,UP-333,US,product-news
        """

    @Test(arguments: TestBackend.allCases) func markdownWordsReachEachPersonInBothPartsWithTheFrame(_ backend: TestBackend) throws {
        let sandbox = try Sandbox(backend)
        defer { sandbox.remove() }
        let spool = sandbox.folder.appendingPathComponent("spool").path
        let server = try SMTPTestServer(spool: spool)
        defer { server.stop() }
        try sandbox.writeConfiguration(smtpPort: server.port, extra: "recipients:\n  attributes: [first_name, upgrade_code, country]\n")
        #expect(try sandbox.herald(["init"]).status == 0)
        let csv = sandbox.folder.appendingPathComponent("people.csv").path
        try Self.people.write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = try sandbox.herald(["recipients", "import", csv])
        #expect(imported.status == 0 && !imported.stderr.contains("ignoring"), "\(imported.stderr)")
        let bodyFile = sandbox.folder.appendingPathComponent("sale.md").path
        try Self.body.write(toFile: bodyFile, atomically: true, encoding: .utf8)

        // A draft: saved, counted, not sent.
        let created = try sandbox.herald(["campaign", "create", "--kind", "promotion", "--subject", "{{first_name}}, the Opsix is 20 % off",
                                          "--preheader", "Until Sunday only", "--body", bodyFile, "--name", "Opsix winter sale", "--draft"])
        #expect(created.status == 0 && created.stderr.contains("would reach 2 people"), "\(created.stderr)")
        let draft = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try sandbox.campaignReport(draft).status == "draft")
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        #expect(server.accepted().isEmpty, "a draft sends nothing")

        // Duplicated and the copy edited and scheduled; the original stays a draft.
        let copy = try sandbox.herald(["campaign", "duplicate", draft]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let copyReport = try sandbox.herald(["campaign", "show", copy, "--json"]).json()
        #expect(copyReport["status"] as? String == "draft" && copyReport["name"] as? String == "Copy of Opsix winter sale")
        let edited = try sandbox.herald(["campaign", "edit", copy, "--preheader", "Three days left", "--name", "Opsix last days"])
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(try sandbox.herald(["campaign", "schedule", copy]).status == 0)
        let worker = try sandbox.herald(["worker", "--until-idle"])
        #expect(worker.status == 0, "\(worker.stderr)")
        #expect(try sandbox.campaignReport(copy).status == "done" && sandbox.campaignReport(draft).status == "draft")

        // Once started, it cannot change: exit 65, and nothing changes.
        let late = try sandbox.herald(["campaign", "edit", copy, "--subject", "Too late"])
        #expect(late.status == 65 && late.stderr.contains("is done"), "\(late.stderr)")

        let messages = try Sandbox.inspectMessages(in: spool)
        #expect(messages.compactMap { $0["to_address"] as? String }.sorted() == ["ada@example.org", "ivan@example.com"])
        let expected = ["ivan@example.com": ("Ivan", "UP-111"), "ada@example.org": ("Augusta", "UP-222")]
        for message in messages {
            let to = message["to_address"] as? String ?? ""
            let (first, code) = try #require(expected[to])
            #expect((message["defects"] as? [String])?.isEmpty == true)
            #expect(message["subject"] as? String == "\(first), the Opsix is 20 % off")
            let parts = message["parts"] as? [[String: Any]] ?? []
            let text = (parts.first { $0["type"] as? String == "text/plain" }?["content"] as? String ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            let html = parts.first { $0["type"] as? String == "text/html" }?["content"] as? String ?? ""
            #expect(text.contains("Opsix winter sale\n=================\n\nHello \(first),\n\nThe Opsix is 20 % off until Sunday:\n\n- free shipping\n- two years of warranty"), "\(text)")
            #expect(text.contains("Your code is \(code). Shop now [1]") && text.contains("[1] https://shop.example.com/opsix?code=\(code)"), "\(text)")
            #expect(html.contains("<h1>Opsix winter sale</h1>") && html.contains("<p>Hello \(first),</p>") && html.contains("<li>free shipping</li>"), "\(html)")
            #expect(html.contains("<a href=\"https://shop.example.com/opsix?code=\(code)\">Shop now</a>"))
            #expect(html.contains("Three days left"), "the edited preheader")
            // The frame: an advertisement, the one-click link (naming this campaign), the postal address, in both parts.
            for part in [text, html] {
                #expect(part.contains("ADVERTISEMENT") && part.contains("Example Ltd, 1 Sample Street, Exampletown") && part.contains("https://mail.example.com/u/"))
            }
            #expect((message["list_unsubscribe"] as? String)?.hasPrefix("<https://mail.example.com/u/") == true)
            // Gmail's feedback loop: which campaign, which kind, whose; nobody named.
            #expect((message["header_names"] as? [String])?.contains("Feedback-ID") == true)
        }
    }

    @Test func wrongWordsAreRefusedWithTheirLineAndNothingIsStored() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.writeConfiguration(extra: "recipients:\n  attributes: [country]\n")
        #expect(try sandbox.herald(["init"]).status == 0)
        let bodyFile = sandbox.folder.appendingPathComponent("bad.md").path
        try "Hello {{first_name}},\n\nYour code: {{attributes.upgrade_code}}\n".write(toFile: bodyFile, atomically: true, encoding: .utf8)
        let refused = try sandbox.herald(["campaign", "create", "--kind", "promotion", "--subject", "Hi", "--body", bodyFile])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr == "herald: error: body:3: {{attributes.upgrade_code}} has no value in the data of a promotion message\n", "\(refused.stderr)")
        #expect(try sandbox.herald(["campaign", "list", "--json"]).json(as: [Any].self).isEmpty)
        // Half the words is a usage error before anything is read.
        let half = try sandbox.herald(["campaign", "create", "--kind", "promotion", "--subject", "Hi"])
        #expect(half.status == 64 && half.stderr.contains("--subject and --body"), "\(half.stderr)")
        // Unescaped values would let a name typed into the public form become markup in everyone's mail.
        try "Hello {{{name}}}".write(toFile: bodyFile, atomically: true, encoding: .utf8)
        let unescaped = try sandbox.herald(["campaign", "create", "--kind", "promotion", "--subject", "Hi", "--body", bodyFile])
        #expect(unescaped.status == 65 && unescaped.stderr.contains("body:1: {{{name}}} would not be escaped"), "\(unescaped.stderr)")
        // A policy notice's words are its policy's summary.
        try "Hello".write(toFile: bodyFile, atomically: true, encoding: .utf8)
        let notice = try sandbox.herald(["campaign", "create", "--kind", "policy-change", "--subject", "Hi", "--body", bodyFile])
        #expect(notice.status == 64 && notice.stderr.contains("policy's summary"), "\(notice.stderr)")
    }

    @Test func segmentsAreNamedCountedAndAnEmptyAudienceWarns() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.writeConfiguration(extra: "recipients:\n  attributes: [first_name, upgrade_code, country]\n")
        #expect(try sandbox.herald(["init"]).status == 0)
        let csv = sandbox.folder.appendingPathComponent("people.csv").path
        try Self.people.write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try sandbox.herald(["recipients", "import", csv]).status == 0)
        let saved = try sandbox.herald(["segment", "save", "dach", "attribute:country=DE,attribute:country=AT"])
        #expect(saved.status == 0 && saved.stdout.contains("promotion fewer than 10"), "\(saved.stdout)\(saved.stderr)")
        let list = try sandbox.herald(["segment", "list", "--json"]).json(as: [[String: Any]].self)
        #expect(list.first?["name"] as? String == "dach" && list.first?["expression"] as? String == "attribute:country=DE,attribute:country=AT")
        let sizes = list.first?["sizes"] as? [String: [String: Any]]
        #expect(sizes?["promotion"]?["fewer_than"] as? Int == 10 && sizes?["promotion"]?["count"] is NSNull, "\(list)")
        // Picked by its name; the audience is counted on create.
        let named = try sandbox.herald(["campaign", "create", "--kind", "promotion", "--template", "promotion", "--segment", "dach", "--draft"])
        #expect(named.status == 0 && named.stderr.contains("would reach 2 people"), "\(named.stderr)")
        let shown = try sandbox.herald(["campaign", "show", named.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--json"]).json()
        #expect(shown["segment"] as? String == "attribute:country=DE,attribute:country=AT" && shown["audience"] as? Int == 2, "\(shown)")
        // A product nobody has: created, with a warning that it reaches nobody.
        let empty = try sandbox.herald(["campaign", "create", "--kind", "product-news", "--template", "product-news", "--segment", "product:moog"])
        #expect(empty.status == 0 && empty.stderr.contains("warning: campaign") && empty.stderr.contains("reaches nobody"), "\(empty.stderr)")
        // A field the company does not keep, and an unknown name, are refused.
        let unknownField = try sandbox.herald(["campaign", "create", "--kind", "promotion", "--template", "promotion", "--segment", "attribute:shoe_size=44"])
        #expect(unknownField.status == 64 && unknownField.stderr.contains("shoe_size is not a personal field"), "\(unknownField.stderr)")
        let unknownName = try sandbox.herald(["campaign", "create", "--kind", "promotion", "--template", "promotion", "--segment", "nordics"])
        #expect(unknownName.status == 64 && unknownName.stderr.contains("no saved segment named 'nordics'"), "\(unknownName.stderr)")
        // --help documents every term.
        let help = try sandbox.herald(["campaign", "create", "--help"])
        for term in ["product:NAME", "purpose:PURPOSE", "attribute:NAME=VALUE", "saved segment"] {
            #expect(help.stdout.contains(term), "\(term)")
        }
    }

    /// Fields are imported, shown to the person on an access request, and erased with them; a file that names
    /// one address twice merges the rows, so importing it again reports nothing changed.
    @Test func personalFieldsAreExportedErasedAndARepeatedRowIsMerged() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.writeConfiguration(extra: "recipients:\n  attributes: [upgrade_code, country]\n")
        #expect(try sandbox.herald(["init"]).status == 0)
        let csv = sandbox.folder.appendingPathComponent("people.csv").path
        try (Self.people + "\nivan@example.com,\"Petrov, I.\",,UP-999,DE,promotions\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let first = try sandbox.herald(["recipients", "import", csv])
        #expect(first.status == 0 && first.stdout.contains("3 new, 0 updated, 0 unchanged, 1 repeated rows merged"), "\(first.stdout)\(first.stderr)")
        let again = try sandbox.herald(["recipients", "import", csv])
        #expect(again.stdout.contains("0 updated, 3 unchanged, 1 repeated rows merged"), "the same file changes nothing: \(again.stdout)")
        #expect(try sandbox.herald(["recipients", "export", "ivan@example.com"]).json()["recipient"].flatMap { ($0 as? [String: Any])?["attributes"] as? [String: String] }?["upgrade_code"] == "UP-999",
                "the later row's value, as writing it after the first would")
        let export = try sandbox.herald(["recipients", "export", "ada@example.org"]).json()
        let person = export["recipient"] as? [String: Any]
        #expect(person?["first_name"] as? String == "Augusta" && person?["attributes"] as? [String: String] == ["country": "AT", "upgrade_code": "UP-222"])
        #expect(try sandbox.herald(["recipients", "erase", "ada@example.org"]).status == 0)
        #expect(!sandbox.databaseFiles().contains(Data("UP-222".utf8)), "a personal field outlived the erasure")
    }
}
