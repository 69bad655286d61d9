import Foundation
import Testing

/// The preferences page behind every message's link: see each purpose, change any, or unsubscribe from
/// everything; the signed token is the only authority, and the form's CSRF value is bound to the page.
@Suite(.serialized)
struct PreferencesTests {
    /// The preferences link of the person's mail (it may grant as well as withdraw), from `herald render`.
    static func preferencesPath(_ server: WebServer, _ sandbox: Sandbox, _ email: String) throws -> String {
        let rendered = try sandbox.herald(["render", "--template", "product-news", "--to", email])
        // Undo quoted-printable's soft line breaks; a token has no '=' of its own.
        let text = rendered.stdout.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
        guard let start = text.range(of: "/preferences/") else { throw TestFailure("no preferences link in the mail: \(rendered.stderr)") }
        let token = text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return "/preferences/" + token
    }

    /// The preferences link the unsubscribe page offers: withdraw-only.
    static func unsubscribePagePreferencesPath(_ server: WebServer, _ sandbox: Sandbox, _ email: String) throws -> String {
        let page = try server.get(try OneClickTests.unsubscribePath(sandbox, email, "promotions"))
        guard let start = page.body.range(of: "/preferences/"), let end = page.body[start.upperBound...].firstIndex(of: "\"") else {
            throw TestFailure("no preferences link on the unsubscribe page: \(page.body)")
        }
        return String(page.body[start.lowerBound..<end])
    }

    static func csrf(in body: String) -> String? {
        guard let start = body.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(body[start.upperBound...].prefix { $0 != "\"" })
    }

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }

    @Test func aPersonChangesTheirPurposesOnlyWithThePagesOwnForm() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "product-news"]).status == 0)
        let path = try Self.preferencesPath(server, sandbox, "ada@example.com")
        let page = try server.get(path)
        #expect(page.status == 200)
        OneClickTests.expectEdgeHeaders(page)
        #expect(page.body.contains("value=\"product-news\" checked") && page.body.contains("value=\"promotions\">"), "\(page.body)")
        #expect(page.body.contains("<label for=\"purpose-promotions\">"), "every input has its label")
        let csrf = try #require(Self.csrf(in: page.body))

        // Without the page's CSRF value, or with one forged or made for another page: 403, nothing changed.
        for bad in ["", "1.AAAA", csrf.replacingOccurrences(of: ".", with: "0.")] {
            let answer = try server.post(path, form: "csrf=\(Self.encode(bad))&purpose=promotions&action=save")
            #expect(answer.status == 403, "\(bad): \(answer.status)")
        }
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com") == ["product-news grant admin"])

        // Swap: promotions on, product news off, in one save.
        let saved = try server.post(path, form: "csrf=\(Self.encode(csrf))&purpose=promotions&action=save")
        #expect(saved.status == 200 && saved.body.contains("Your choices are saved"))
        #expect(saved.body.contains("value=\"promotions\" checked") && saved.body.contains("value=\"product-news\">"))
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com").suffix(2).sorted()
                == ["product-news revoke preferences", "promotions grant preferences"])

        // Everything off, and the address suppressed as unsubscribed-all.
        let all = try server.post(path, form: "csrf=\(Self.encode(csrf))&action=unsubscribe-all")
        #expect(all.status == 200 && all.body.contains("You asked us to send you nothing"))
        let export = try sandbox.herald(["recipients", "export", "ada@example.com"]).json()
        #expect((export["suppression"] as? [String: Any])?["reason"] as? String == "unsubscribed-all")
        #expect((export["consents"] as? [[String: Any]] ?? []).allSatisfy { $0["granted"] as? Bool == false })

        // Choosing a topic again is the person's own act: it lifts that suppression.
        let back = try server.post(path, form: "csrf=\(Self.encode(csrf))&purpose=product-news&action=save")
        #expect(back.status == 200 && !back.body.contains("You asked us to send you nothing"))
        let lifted = try sandbox.herald(["recipients", "export", "ada@example.com"]).json()
        #expect(lifted["suppression"] == nil || lifted["suppression"] is NSNull, "\(lifted)")
    }

    @Test func aPreferencesLinkForSomeoneErasedChangesNothing() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "product-news"]).status == 0)
        let path = try Self.preferencesPath(server, sandbox, "ada@example.com")
        let csrf = try #require(Self.csrf(in: try server.get(path).body))
        #expect(try sandbox.herald(["recipients", "erase", "ada@example.com"]).status == 0)
        #expect(try server.get(path).status == 404)
        #expect(try server.post(path, form: "csrf=\(Self.encode(csrf))&purpose=promotions&action=save").status == 404)
        #expect(try server.post(path, form: "csrf=\(Self.encode(csrf))&action=unsubscribe-all").status == 404)
        let export = try sandbox.herald(["recipients", "export", "ada@example.com"]).json()
        #expect(export["recipient"] == nil && (export["suppression"] as? [String: Any])?["reason"] as? String == "erased", "\(export)")
    }

    /// The unsubscribe URL is seen by mailbox providers, gateways and whoever a mail is forwarded to: the
    /// preferences page it leads to withdraws at once, but a topic chosen there is only asked for, by a
    /// confirmation mail to the person's own inbox, and an unsubscribe-from-everything stays until then.
    @Test func aPreferencesLinkFromAnUnsubscribeLinkCannotGrant() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "product-news"]).status == 0)
        let path = try Self.unsubscribePagePreferencesPath(server, sandbox, "ada@example.com")
        let page = try server.get(path)
        #expect(page.status == 200 && page.body.contains("only after you confirm it"), "\(page.body)")
        let csrf = try #require(Self.csrf(in: page.body))

        // Promotions ticked, product news unticked: the withdrawal is applied, the grant is not.
        let saved = try server.post(path, form: "csrf=\(Self.encode(csrf))&purpose=promotions&action=save")
        #expect(saved.status == 200 && saved.body.contains("we sent a mail to your address"), "\(saved.body)")
        #expect(saved.body.contains("value=\"promotions\">") && saved.body.contains("value=\"product-news\">"), "nothing is granted: \(saved.body)")
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com") == ["product-news grant admin", "product-news revoke preferences"])

        // Everything off; choosing a topic again from this link does not lift it.
        #expect(try server.post(path, form: "csrf=\(Self.encode(csrf))&action=unsubscribe-all").status == 200)
        let again = try server.post(path, form: "csrf=\(Self.encode(csrf))&purpose=product-news&action=save")
        #expect(again.status == 200 && again.body.contains("You asked us to send you nothing"), "\(again.body)")
        let export = try sandbox.herald(["recipients", "export", "ada@example.com"]).json()
        #expect((export["suppression"] as? [String: Any])?["reason"] as? String == "unsubscribed-all", "\(export)")
        #expect((export["consents"] as? [[String: Any]] ?? []).allSatisfy { $0["granted"] as? Bool == false }, "\(export)")

        // The person's own inbox gets a confirmation mail for each of the two choices; only their links grant.
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let mails = try Sandbox.inspectMessages(in: sandbox.mailFolder)
        let confirmations = mails.filter { mail in
            mail["to_address"] as? String == "ada@example.com"
                && (mail["parts"] as? [[String: Any]] ?? []).contains { ($0["content"] as? String ?? "").contains("/confirm/") }
        }
        #expect(confirmations.count == 2, "\(mails.map { $0["subject"] ?? "" })")
    }
}
