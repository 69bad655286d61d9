import Foundation
import Testing

/// The admin API over real HTTP: the bearer token guards every route, each error is `{"error": …}` with its
/// status, and a schema-driven fuzzer (schemathesis) holds the server to its OpenAPI document.
@Suite(.serialized)
struct AdminAPITests {
    static let token = "integration-admin-token-0123456789"
    static let extra = "  admin_token: \(token)\n"

    func json(_ answer: WebServer.Answer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any] ?? [:]
    }

    @Test func everyRouteNeedsTheTokenAndTheAPIIsOffWithoutOne() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: Self.extra)
        defer { server.stop(); sandbox.remove() }
        let routes: [(String, String)] = [("GET", "/api/campaigns"), ("POST", "/api/campaigns"), ("GET", "/api/campaigns/1"),
                                          ("GET", "/api/campaigns/1/problems"), ("POST", "/api/campaigns/1/cancel"),
                                          ("POST", "/api/campaigns/1/retry"), ("POST", "/api/recipients"),
                                          ("POST", "/api/recipients/export"), ("POST", "/api/recipients/erase"), ("GET", "/api/report")]
        for (method, path) in routes {
            for header in [[], ["-H", "Authorization: Bearer wrong-token-0123456789abcdef"], ["-H", "Authorization: \(Self.token)"]] {
                let answer = try server.request(method, path, headers: header, body: "{\"email\": \"ada@example.com\"}")
                #expect(answer.status == 401 && json(answer)["error"] != nil, "\(method) \(path) \(header): \(answer.status)")
                #expect(answer.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            }
        }
        #expect(try server.get("/api/openapi.yaml").body.hasPrefix("openapi: 3.0.3"), "the document is public")
        server.stop()

        let off = try WebServer(sandbox)
        defer { off.stop() }
        #expect(try off.request("GET", "/api/campaigns", headers: ["-H", "Authorization: Bearer \(Self.token)"]).status == 404)
        #expect(try String(contentsOf: sandbox.folder.appendingPathComponent("background.err"), encoding: .utf8).contains("the admin API is off"))
    }

    @Test func campaignsAndOneRecipientThroughTheAPI() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: Self.extra)
        defer { server.stop(); sandbox.remove() }
        let auth = ["-H", "Authorization: Bearer \(Self.token)"]
        let added = try server.request("POST", "/api/recipients", headers: auth,
                                       body: "{\"email\": \"ada@example.com\", \"name\": \"Ada\", \"consents\": [\"promotions\"], \"products\": [\"kronos\"]}")
        #expect(added.status == 201 && json(added)["created"] as? Bool == true, "\(added.body)")
        let child = try server.request("POST", "/api/recipients", headers: auth, body: "{\"email\": \"kid@example.com\", \"birthdate\": \"2020-01-01\"}")
        #expect(child.status == 422 && json(child)["error"] as? String == "under 13: refused, nothing stored")
        #expect(!sandbox.databaseFiles().contains(Data("kid@example.com".utf8)), "nothing stored for the child")

        let created = try server.request("POST", "/api/campaigns", headers: auth, body: "{\"kind\": \"promotion\", \"template\": \"promotion\", \"name\": \"Spring\"}")
        #expect(created.status == 201 && json(created)["status"] as? String == "scheduled", "\(created.body)")
        let id = json(created)["id"] as? Int ?? 0
        #expect(try server.request("GET", "/api/campaigns/\(id)", headers: auth).status == 200)
        #expect(try server.request("POST", "/api/campaigns/\(id)/retry", headers: auth).status == 409, "not started")
        let cancelled = try server.request("POST", "/api/campaigns/\(id)/cancel", headers: auth)
        #expect(cancelled.status == 200 && json(cancelled)["status"] as? String == "cancelled")
        #expect(try server.request("POST", "/api/campaigns/\(id)/cancel", headers: auth).status == 409)
        #expect(try server.request("GET", "/api/campaigns/999", headers: auth).status == 404)
        #expect(try server.request("POST", "/api/campaigns", headers: auth, body: "{\"kind\": \"promotion\", \"template\": \"nope\"}").status == 422)
        #expect(try server.request("POST", "/api/campaigns", headers: auth, body: "not json").status == 400)

        let export = try server.request("POST", "/api/recipients/export", headers: auth, body: "{\"email\": \"Ada@Example.com\"}")
        #expect(export.status == 200 && (json(export)["recipient"] as? [String: Any])?["name"] as? String == "Ada")
        let erased = try server.request("POST", "/api/recipients/erase", headers: auth, body: "{\"email\": \"ada@example.com\"}")
        #expect(erased.status == 200 && json(erased)["erased"] as? Bool == true)
        #expect(try server.request("POST", "/api/recipients/erase", headers: auth, body: "{\"email\": \"ada@example.com\"}").status == 404)
        let report = try server.request("GET", "/api/report?min_cell=1", headers: auth)
        #expect(report.status == 200 && (json(report)["suppressions_by_reason"] as? [String: Any])?["erased"] as? Int == 1, "\(report.body)")
        #expect(try server.request("GET", "/api/report?min_cell=0", headers: auth).status == 422)
    }

    /// schemathesis generates requests from the OpenAPI document (valid, invalid, and sequences that use one
    /// answer's ids in the next request) and checks every answer: no 5xx, status, content type, headers and body
    /// as documented, invalid input refused, and the token enforced.
    @Test func theServerKeepsToItsOpenAPIDocumentUnderFuzzing() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: Self.extra)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "promotions"]).status == 0)
        let fuzz = try Sandbox.run("/usr/bin/env", [
            "python3", "-m", "schemathesis.cli", "run", "http://127.0.0.1:\(server.port)/api/openapi.yaml",
            "-H", "Authorization: Bearer \(Self.token)", "--checks", "all",
            // Schema-valid values the server may still refuse (an address its parser rejects, a template that
            // does not exist), and methods the document does not name (404 here, not 405), are not failures.
            "--exclude-checks", "positive_data_acceptance,unsupported_method",
            "-n", "30", "--seed", "8058", "--report-dir", sandbox.folder.appendingPathComponent("schemathesis").path,
        ], environment: ["SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"], in: sandbox.folder)  // its caches stay in the sandbox
        #expect(fuzz.status == 0, "\(fuzz.stdout.suffix(4000))")
        #expect(fuzz.stdout.contains(" passed"), "\(fuzz.stdout.suffix(2000))")
        #expect(!server.serverLog().contains("Fatal error"))
    }
}
