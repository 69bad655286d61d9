import Foundation
import Testing

/// The console's preview and test send (Step 9): the message for a chosen shape of person, with the header
/// fields of the bytes that would go out, and a test sent through the configured SMTP server to the staff
/// member's own address only, audited.
@Suite(.serialized)
struct ConsolePreviewTests {
    @Test func aMarketingUserPreviewsAShapeAndTestSendsToTheirOwnAddress() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let spool = sandbox.folder.appendingPathComponent("spool").path
        let smtp = try SMTPTestServer(spool: spool)
        defer { smtp.stop() }
        let web = try WebServer(sandbox, smtpPort: smtp.port)
        defer { web.stop() }
        let csv = "email,name,products,consents\np1@example.com,Grace Hopper,kronos,product-news\np2@example.com,,volca,product-news\n"
        try csv.write(toFile: sandbox.folder.appendingPathComponent("people.csv").path, atomically: true, encoding: .utf8)
        #expect(try sandbox.herald(["recipients", "import", sandbox.folder.appendingPathComponent("people.csv").path]).status == 0)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: ConsoleTests.password + "\n").status == 0)
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: ConsoleTests.password + "\n").status == 0)
        let max = try ConsoleClient(web, "max@staff.example")
        func get(_ path: String) throws -> WebServer.Answer { try max.get(path) }
        func post(_ path: String, _ body: String) throws -> WebServer.Answer { try max.post(path, body) }

        // First visit: the stand-in. The header fields are those of the composed bytes, one-click link and all.
        let standIn = try get("/console/templates/product-news/preview")
        #expect(standIn.status == 200 && standIn.body.contains("Hello Ada,"), "\(standIn.status)")
        for field in ["From", "To", "Subject", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "MIME-Version"] {
            #expect(standIn.body.contains("<dt>\(field)</dt>"), "the \(field) field is shown")
        }
        #expect(standIn.body.contains("List-Unsubscribe=One-Click"))
        // Products come from what people registered; a product nobody has is not offered, and is ignored if posted.
        #expect(standIn.body.contains("value=\"kronos\"") && standIn.body.contains("value=\"volca\""))
        let shaped = try get("/console/templates/product-news/preview?shaped=1&recipient_name=&product=kronos&product=moog")
        #expect(shaped.status == 200 && shaped.body.contains("Hello,") && !shaped.body.contains("Hello Ada"), "no name, no greeting by name")
        #expect(shaped.body.contains("There is news about kronos") && !shaped.body.contains("moog"), "only offered products")
        #expect(shaped.body.contains("a person who gave no name, with kronos"))
        let spaced = try get("/console/templates/product-news/preview?shaped=1&recipient_name=Grace+Hopper&product=kronos")
        #expect(spaced.body.contains("Hello Grace,") && spaced.body.contains("recipient_name=Grace%20Hopper"), "a form's + is a space")
        let framed = try get("/console/templates/product-news/preview.html?shaped=1&recipient_name=Lin&product=volca")
        #expect(framed.status == 200 && framed.body.contains("Lin") && framed.body.contains("volca") && !framed.body.contains("kronos"))
        #expect(try get("/console/templates/nonesuch/preview").status == 400)

        // The campaign form's preview button: the chosen template, for an owner of the segment's products, shown
        // beside the form (the workspace, ConsoleWorkspaceTests).
        let form = try get("/console/campaigns/new")
        let csrf = try #require(ConsoleTests.csrf(form.body))
        let inPlace = try post("/console/campaigns/new", "csrf=\(csrf)&kind=promotion&template=promotion&product=volca&action=preview")
        #expect(inPlace.status == 200 && inPlace.body.contains("ADVERTISEMENT") && inPlace.body.contains("value=\"volca\" checked"), "\(inPlace.status)")

        // A test send needs the session's CSRF value; it goes to the account's own address only, whatever is posted.
        #expect(try post("/console/templates/product-news/test-send", "shaped=1&recipient_name=Lin&product=kronos").status == 403)
        #expect(smtp.acceptedRecipients().isEmpty, "a refused form sent nothing")
        let sent = try post("/console/templates/product-news/test-send",
                            "csrf=\(csrf)&shaped=1&recipient_name=Lin&product=kronos&to=p1%40example.com&email=p1%40example.com")
        #expect(sent.status == 200 && sent.body.contains("Sent to max@staff.example: the server answered 250"), "\(sent.body.suffix(800))")
        #expect(smtp.acceptedRecipients() == ["max@staff.example"])
        let messages = try Sandbox.inspectMessages(in: spool)
        let message = try #require(messages.first)
        #expect(message["to_address"] as? String == "max@staff.example" && (message["defects"] as? [String])?.isEmpty == true, "\(message)")
        let text = (message["parts"] as? [[String: Any]])?.first { $0["type"] as? String == "text/plain" }?["content"] as? String ?? ""
        #expect(text.contains("Hello Lin,") && text.contains("There is news about kronos"), "the shape chosen is the shape sent: \(text)")
        #expect(try sandbox.herald(["campaign", "list", "--json"]).json(as: [[String: Any]].self).isEmpty, "a test send is no campaign")

        // Refused by the server: said so, plainly.
        smtp.stop()
        let unsent = try post("/console/templates/product-news/test-send", "csrf=\(csrf)&shaped=1&recipient_name=Lin")
        #expect(unsent.status == 200 && unsent.body.contains("Not sent:"), "\(unsent.body.suffix(600))")

        let audit = try ConsoleClient(web, "ada@staff.example").get("/console/audit").body
        #expect(audit.components(separatedBy: "template.test-send").count - 1 == 2 && !audit.contains("Lin"), "both attempts are audited")
    }
}
