import Foundation
import Testing

/// The admin API's named tokens (Step 10): made, listed and removed with `herald api-tokens`, kept as hashes,
/// each change and export audited with the token's name; `http.admin_token` keeps working as `config`; an
/// operator's write cannot claim a source that stands for a person's own act.
@Suite(.serialized)
struct AdminAPITokenTests {
    func json(_ answer: WebServer.Answer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any] ?? [:]
    }

    @Test func namedTokensAreAuditedRemovableAndNeverShownAgain() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.writeConfiguration()
        let ci = try sandbox.herald(["api-tokens", "add", "ci"]), crm = try sandbox.herald(["api-tokens", "add", "CRM"])
        #expect(ci.status == 0 && crm.status == 0, "\(ci.stderr) \(crm.stderr)")
        let ciToken = ci.stdout.trimmingCharacters(in: .whitespacesAndNewlines), crmToken = crm.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ciToken.hasPrefix("herald_") && ciToken.count >= 40 && ciToken != crmToken, "\(ciToken)")
        #expect(!ci.stderr.contains(ciToken), "the token goes to standard output only")
        let twice = try sandbox.herald(["api-tokens", "add", "ci"])
        #expect(twice.status == 65 && twice.stderr.contains("exists already") && twice.stdout.isEmpty)
        #expect(try sandbox.herald(["api-tokens", "add", "config"]).status == 65, "config names http.admin_token")
        #expect(try sandbox.herald(["api-tokens", "add", "no spaces"]).status == 65)

        let server = try WebServer(sandbox, extra: AdminAPITests.extra)
        defer { server.stop() }
        func call(_ method: String, _ path: String, _ token: String, _ body: String? = nil) throws -> WebServer.Answer {
            try server.request(method, path, headers: ["-H", "Authorization: Bearer \(token)"], body: body)
        }
        let added = try call("POST", "/api/recipients", ciToken, "{\"email\": \"ada@example.com\", \"consents\": [\"promotions\"]}")
        #expect(added.status == 201, "\(added.body)")
        let created = try call("POST", "/api/campaigns", crmToken, "{\"kind\": \"promotion\", \"template\": \"promotion\", \"name\": \"Spring\"}")
        #expect(created.status == 201, "\(created.body)")
        let id = json(created)["id"] as? Int ?? 0
        #expect(try call("POST", "/api/campaigns/\(id)/cancel", crmToken).status == 200)
        #expect(try call("POST", "/api/recipients/export", AdminAPITests.token, "{\"email\": \"ada@example.com\"}").status == 200, "http.admin_token still works")
        #expect(try call("GET", "/api/campaigns", crmToken).status == 200)

        // A person's own acts are theirs: the API cannot write them.
        for source in ["form", "one-click", "preferences", "policy", "policy-page", "confirmation", "Form"] {
            let claimed = try call("POST", "/api/recipients", ciToken, "{\"email\": \"bob@example.com\", \"consents\": [\"promotions\"], \"source\": \"\(source)\"}")
            #expect(claimed.status == 400 && (json(claimed)["error"] as? String)?.contains("person's own act") == true, "\(source): \(claimed.status)")
        }
        let bob = try sandbox.herald(["recipients", "export", "bob@example.com"])
        #expect(bob.status == 65 && bob.stderr.contains("nothing is stored"), "nothing was stored for a refused source: \(bob.stderr)")

        // A removed token is refused at once; the others go on.
        #expect(try sandbox.herald(["api-tokens", "remove", "ci"]).status == 0)
        #expect(try call("GET", "/api/campaigns", ciToken).status == 401)
        #expect(try call("GET", "/api/campaigns", crmToken).status == 200)
        #expect(try sandbox.herald(["api-tokens", "remove", "ci"]).status == 65)

        // The audit log names the token behind each change and export.
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: ConsoleTests.password + "\n").status == 0)
        let audit = try ConsoleClient(server, "ada@staff.example").get("/console/audit").body
        for (actor, action) in [("api:ci", "recipient.add"), ("api:crm", "campaign.create"), ("api:crm", "campaign.cancel"), ("api:config", "person.export")] {
            #expect(audit.range(of: "\(actor)</td><td>\(action)") != nil, "\(actor) \(action)")
        }
        #expect(!audit.contains("ada@example.com"), "a person by the keyed hash, never the address")

        // Listed by name with when each was made and last used; never a token, anywhere.
        let list = try sandbox.herald(["api-tokens", "list", "--json"]).json(as: [[String: Any]].self)
        #expect(list.compactMap { $0["name"] as? String } == ["config", "crm"], "\(list)")
        #expect(list.last?["last_used_at"] as? String != nil && list.last?["created_at"] as? String != nil)
        let plain = try sandbox.herald(["api-tokens", "list"])
        let everything = plain.stdout + plain.stderr + (try sandbox.herald(["api-tokens", "list", "--json"]).stdout) + server.serverLog() + audit
        for token in [ciToken, crmToken, AdminAPITests.token] { #expect(!everything.contains(token)) }
        #expect(!sandbox.databaseFiles().contains(Data(crmToken.utf8)), "only the hash is stored")
    }

    /// A token made with `herald api-tokens` turns the API on without `http.admin_token`; with none left, 404.
    @Test func aStoredTokenAloneTurnsTheAPIOn() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.writeConfiguration()
        let token = try sandbox.herald(["api-tokens", "add", "ops"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try WebServer(sandbox)
        defer { server.stop() }
        #expect(try server.request("GET", "/api/campaigns", headers: ["-H", "Authorization: Bearer \(token)"]).status == 200)
        #expect(try server.request("GET", "/api/campaigns").status == 401)
        #expect(try sandbox.herald(["api-tokens", "remove", "ops"]).status == 0)
        #expect(try server.request("GET", "/api/campaigns", headers: ["-H", "Authorization: Bearer \(token)"]).status == 404)
    }
}
