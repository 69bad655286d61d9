import Foundation
import TestDatabases
import Testing

/// RFC 8058 one-click unsubscribe and the pages behind the links in every message, over real HTTP against a
/// running `herald serve`.
@Suite(.serialized)
struct OneClickTests {
    /// The path of a person's one-click link for a purpose (`herald unsubscribe-url`), without the public URL.
    static func unsubscribePath(_ sandbox: Sandbox, _ email: String, _ purpose: String) throws -> String {
        let url = try sandbox.herald(["unsubscribe-url", email, "--purpose", purpose]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let range = url.range(of: "/u/") else { throw TestFailure("no /u/ in '\(url)'") }
        return String(url[range.lowerBound...])
    }

    /// The person's consent ledger as (purpose, action, source), from `recipients export`.
    static func ledger(_ sandbox: Sandbox, _ email: String) throws -> [String] {
        let export = try sandbox.herald(["recipients", "export", email]).json()
        return (export["consent_ledger"] as? [[String: Any]] ?? []).map { "\($0["purpose"] ?? "") \($0["action"] ?? "") \($0["source"] ?? "")" }
    }

    static func expectEdgeHeaders(_ answer: WebServer.Answer, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.headers["referrer-policy"] == "no-referrer", sourceLocation: sourceLocation)
        #expect(answer.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true, sourceLocation: sourceLocation)
        #expect(answer.headers["content-security-policy"]?.contains("default-src 'none'") == true, sourceLocation: sourceLocation)
        #expect(answer.headers["x-content-type-options"] == "nosniff", sourceLocation: sourceLocation)
        #expect(answer.headers["cache-control"] == "no-store", sourceLocation: sourceLocation)
        #expect(answer.headers["set-cookie"] == nil && answer.headers["location"] == nil, sourceLocation: sourceLocation)
        #expect(!(300..<400).contains(answer.status), "never a redirect", sourceLocation: sourceLocation)
    }

    /// Promise: one click, either encoding, and the purpose is revoked at once, durably, idempotently, and the
    /// next campaign does not mail that person.
    @Test(arguments: TestBackend.allCases) func oneClickInEitherEncodingRevokesOnceAndTheNextCampaignSkipsThem(_ backend: TestBackend) throws {
        let sandbox = try Sandbox(backend)
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "promotions", "--consent", "product-news"]).status == 0)

        let promotions = try Self.unsubscribePath(sandbox, "ada@example.com", "promotions")
        let first = try server.post(promotions, form: "List-Unsubscribe=One-Click")
        #expect(first.status == 200 && first.body.contains("no longer receive"), "\(first.status) \(first.body)")
        Self.expectEdgeHeaders(first)
        #expect(try Self.ledger(sandbox, "ada@example.com").last == "promotions revoke one-click")
        // Again, as a provider retrying would: still 200, nothing more recorded.
        let again = try server.post(promotions, form: "List-Unsubscribe=One-Click")
        #expect(again.status == 200)
        #expect(try Self.ledger(sandbox, "ada@example.com").filter { $0.hasSuffix("one-click") }.count == 1)

        let news = try Self.unsubscribePath(sandbox, "ada@example.com", "product-news")
        let multipart = try server.post(news, multipart: [("List-Unsubscribe", "One-Click")])
        #expect(multipart.status == 200, "\(multipart.body)")
        Self.expectEdgeHeaders(multipart)
        #expect(try Self.ledger(sandbox, "ada@example.com").last == "product-news revoke one-click")

        _ = try sandbox.createCampaign(["--kind", "promotion", "--template", "promotion"])
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let sent = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.mailFolder)) ?? []
        #expect(sent.filter { $0.hasSuffix(".eml") }.isEmpty, "mailed after a one-click unsubscribe: \(sent)")
    }

    /// Link scanners fetch every URL: GET and HEAD show a page whose button POSTs, and change nothing.
    @Test func getAndHeadChangeNothing() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "promotions"]).status == 0)
        let path = try Self.unsubscribePath(sandbox, "ada@example.com", "promotions")
        let page = try server.get(path)
        #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.body.contains("<form method=\"post\" action=\"\(path)\">") && page.body.contains("value=\"One-Click\""), "\(page.body)")
        #expect(page.body.contains("/preferences/"), "a link to the preferences")
        Self.expectEdgeHeaders(page)
        let head = try server.head(path)
        #expect(head.status == 200 && head.body.isEmpty)
        Self.expectEdgeHeaders(head)
        #expect(try Self.ledger(sandbox, "ada@example.com") == ["promotions grant admin"])
    }

    /// Forged, tampered, truncated, extended, retired-key and wrong-action tokens: 400 or 404, a plain page,
    /// and nothing changed.
    @Test func badTokensChangeNothing() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "promotions"]).status == 0)
        let good = try Self.unsubscribePath(sandbox, "ada@example.com", "promotions")
        let token = String(good.dropFirst(3))
        var tampered = Array(token)
        tampered[token.count / 2] = tampered[token.count / 2] == "A" ? "B" : "A"
        let bad = ["/u/" + String(tampered), "/u/" + token.dropLast(5), "/u/" + token + "AAAA", "/u/not-a-token", "/u/" + String(repeating: "A", count: 400)]
        for path in bad {
            for answer in [try server.post(path, form: "List-Unsubscribe=One-Click"), try server.get(path)] {
                #expect(answer.status == 400 || answer.status == 404, "\(path): \(answer.status)")
                #expect(answer.body.contains("Nothing was changed"), "\(path): \(answer.body)")
                Self.expectEdgeHeaders(answer)
            }
        }
        // A POST without the one-click body, a body past the limit, and one that is not a form.
        #expect(try server.post(good, form: "List-Unsubscribe=Something").status == 400)
        #expect(try server.post(good, form: "List-Unsubscribe=One-Click&pad=" + String(repeating: "x", count: 20_000)).status == 413)
        #expect(try server.post(good, body: "{\"List-Unsubscribe\": \"One-Click\"}", contentType: "application/json").status == 415)
        #expect(try Self.ledger(sandbox, "ada@example.com") == ["promotions grant admin"])

        // The key that signed it is retired: the link is no longer honoured (404), and still nothing changes.
        server.stop()
        let retired = try WebServer(sandbox, environment: ["HERALD_TOKENS_KEYS": "t2:a-new-TOKEN-secret-0123456789abcdef"])
        defer { retired.stop() }
        let answer = try retired.post(good, form: "List-Unsubscribe=One-Click")
        #expect(answer.status == 404, "\(answer.status) \(answer.body)")
        #expect(try Self.ledger(sandbox, "ada@example.com") == ["promotions grant admin"])
    }
}
