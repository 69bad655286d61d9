import Foundation
import Testing

/// Step 11 through the admin API over real HTTP: a campaign with its own words as a draft, edited, copied and
/// scheduled; a variable with no value refused with its line; named segments; personal fields in their own
/// spelling; and the unsubscribes a campaign's own links brought, counted in its report.
@Suite(.serialized)
struct AdminAPIWordsTests {
    static let extra = AdminAPITests.extra + "recipients:\n  attributes: [first_name, upgrade_code, country]\n"

    func json(_ answer: WebServer.Answer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any] ?? [:]
    }

    func body(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func wordsDraftsEditsCopiesAndSegmentsThroughTheAPI() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: Self.extra)
        defer { server.stop(); sandbox.remove() }
        let auth = ["-H", "Authorization: Bearer \(AdminAPITests.token)"]
        let added = try server.request("POST", "/api/recipients", headers: auth, body: try body([
            "email": "ivan@example.com", "name": "Petrov, Ivan", "consents": ["promotions"],
            "attributes": ["upgrade_code": "UP-1", "country": "DE"]]))
        #expect(added.status == 201, "\(added.body)")
        // A field the company does not keep is refused, and nothing is written.
        let unknown = try server.request("POST", "/api/recipients", headers: auth, body: try body([
            "email": "grace@example.com", "consents": ["promotions"], "attributes": ["shoe_size": "44"]]))
        #expect(unknown.status == 422 && (json(unknown)["error"] as? String)?.contains("shoe_size") == true, "\(unknown.body)")
        let export = json(try server.request("POST", "/api/recipients/export", headers: auth, body: "{\"email\": \"ivan@example.com\"}"))
        #expect((export["recipient"] as? [String: Any])?["attributes"] as? [String: String] == ["upgrade_code": "UP-1", "country": "DE"])

        let wrong = try server.request("POST", "/api/campaigns", headers: auth, body: try body([
            "kind": "promotion", "subject": "Hi", "body": "Line one\n\nHi {{frist_name}}", "draft": true]))
        #expect(wrong.status == 422 && json(wrong)["error"] as? String == "body:3: {{frist_name}} has no value in the data of a promotion message",
                "\(wrong.body)")
        let created = try server.request("POST", "/api/campaigns", headers: auth, body: try body([
            "kind": "promotion", "subject": "{{first_name}}, 20 % off", "body": "Hello {{first_name}}, code {{attributes.upgrade_code}}",
            "segment": "attribute:country=DE", "draft": true, "name": "Winter"]))
        #expect(created.status == 201, "\(created.body)")
        let campaign = json(created)
        let id = campaign["id"] as? Int ?? 0
        #expect(campaign["status"] as? String == "draft" && campaign["audience"] as? Int == 1)
        #expect((campaign["words"] as? [String: Any])?["format"] as? String == "markdown")

        let unnamed = try server.request("POST", "/api/campaigns", headers: auth, body: try body([
            "kind": "promotion", "subject": "{{first_name}}, 20 % off", "body": "Hello", "draft": true]))
        #expect(json(unnamed)["name"] as? String == "…, 20 % off", "named after its subject, no one's name in a listing: \(unnamed.body)")
        let edited = try server.request("PATCH", "/api/campaigns/\(id)", headers: auth, body: try body(["preheader": "Until Sunday", "segment": ""]))
        #expect(edited.status == 200 && (json(edited)["words"] as? [String: Any])?["preheader"] as? String == "Until Sunday", "\(edited.body)")
        #expect(json(edited)["segment"] == nil, "an empty segment is everyone who agreed")
        let copy = try server.request("POST", "/api/campaigns/\(id)/duplicate", headers: auth)
        #expect(copy.status == 201 && json(copy)["status"] as? String == "draft" && json(copy)["name"] as? String == "Copy of Winter", "\(copy.body)")
        let scheduled = try server.request("POST", "/api/campaigns/\(id)/schedule", headers: auth, body: "{}")
        #expect(scheduled.status == 200 && json(scheduled)["status"] as? String == "scheduled", "\(scheduled.body)")
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let late = try server.request("PATCH", "/api/campaigns/\(id)", headers: auth, body: try body(["subject": "Too late"]))
        #expect(late.status == 409, "\(late.body)")

        let saved = try server.request("POST", "/api/segments", headers: auth, body: try body(["name": "dach", "expression": "attribute:country=DE"]))
        #expect(saved.status == 201 && json(saved)["fewer_than"] as? Int == 10, "\(saved.body)")
        let segments = try JSONSerialization.jsonObject(with: Data(try server.request("GET", "/api/segments", headers: auth).body.utf8)) as? [[String: Any]]
        #expect(segments?.map { $0["name"] as? String } == ["dach"])
        #expect(try server.request("DELETE", "/api/segments/dach", headers: auth).status == 200)
        #expect(try server.request("DELETE", "/api/segments/dach", headers: auth).status == 404)

        // The message went out; its one-click link names the campaign, and its report counts the unsubscribe.
        let mail = try Sandbox.inspectMessages(in: sandbox.mailFolder)
        #expect(mail.count == 1 && mail.first?["subject"] as? String == "Ivan, 20 % off")
        let link = try #require((mail.first?["list_unsubscribe"] as? String)?.split(separator: ",").first.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "<> ")) })
        let path = try #require(URL(string: link)?.path)
        #expect(try server.post(path, form: "List-Unsubscribe=One-Click").status == 200)
        #expect(try server.post(path, form: "List-Unsubscribe=One-Click").status == 200)
        let report = json(try server.request("GET", "/api/campaigns/\(id)", headers: auth))
        #expect(report["unsubscribes"] as? Int == 1, "counted once, however often the link is used: \(report)")
    }
}
