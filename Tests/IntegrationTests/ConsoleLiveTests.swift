import Foundation
import Testing

/// What the console's script asks for (Step 9): the dashboard's counts and rates as JSON, and the audience of
/// a segment as the form changes; both behind the session, counts only, never an address, and for marketing no
/// audience under the report's floor (Step 10). And the script itself, served from the app and allowed by the
/// console pages' policy, which allows nothing from elsewhere.
@Suite(.serialized)
struct ConsoleLiveTests {
    @Test func theDashboardsCountsAndTheAudienceAreServedAsCountsBehindTheSession() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox)
        defer { web.stop() }
        let csv = "email,products,consents\n" + (1...14).map { "p\($0)@example.com,\($0 <= 12 ? "kronos" : "volca"),product-news\n" }.joined()
        try csv.write(toFile: sandbox.folder.appendingPathComponent("people.csv").path, atomically: true, encoding: .utf8)
        #expect(try sandbox.herald(["recipients", "import", sandbox.folder.appendingPathComponent("people.csv").path]).status == 0)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: ConsoleTests.password + "\n").status == 0)
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: ConsoleTests.password + "\n").status == 0)
        let max = try ConsoleClient(web, "max@staff.example")
        func get(_ path: String) throws -> WebServer.Answer { try max.get(path) }

        let audience = try get("/console/campaigns/audience?kind=product-news&product=kronos")
        #expect(audience.status == 200 && audience.body.contains("\"audience\":12"), "\(audience.body)")
        #expect(try get("/console/campaigns/audience?kind=product-news").body.contains("\"audience\":14"))
        // Two own a volca: marketing learns only that it is fewer than the report's floor, on the form too.
        let few = try get("/console/campaigns/audience?kind=product-news&product=volca")
        #expect(few.status == 200 && few.body == "{\"audience\":null,\"fewer_than\":10}", "\(few.body)")
        let fields = "csrf=\(try max.csrf())&name=Volca&kind=product-news&template=product-news&product=volca&send_at=&time_zone=UTC"
        let counted = try max.post("/console/campaigns/new", fields + "&action=count")
        #expect(counted.status == 200 && counted.body.contains("Fewer than 10 people would receive it now.") && !counted.body.contains(">2 people"),
                "\(counted.body.suffix(600))")
        #expect(try get("/console/campaigns/audience?kind=product-news&product=nobody").body.contains("\"audience\":null"), "none is fewer than ten too")
        #expect(try ConsoleClient(web, "ada@staff.example").get("/console/campaigns/audience?kind=product-news&product=volca").body
                == "{\"audience\":2}", "an administrator sees the exact count")
        let bad = try get("/console/campaigns/audience?kind=product-news&product=x%2Cproduct%3Avolca")
        #expect(bad.status == 400 && bad.body.contains("invalid product"), "\(bad.body)")
        #expect(try get("/console/campaigns/audience?kind=policy-change").status == 400, "only the kinds the console makes")
        #expect(try web.get("/console/campaigns/audience?kind=product-news").status == 303, "no session, no count")

        let id = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--name", "Kronos news", "--segment", "product:kronos"])
        let dashboard = try get("/console")
        #expect(dashboard.body.contains("data-live") && dashboard.body.contains("<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>"),
                "a scheduled campaign: live, and without the script the page reloads itself")
        let policy = dashboard.headers["content-security-policy"] ?? ""
        #expect(policy.contains("script-src 'self'") && policy.contains("connect-src 'self'") && !policy.contains("unsafe"), "\(policy)")
        let script = try web.get("/console/console.js")
        #expect(script.status == 200 && script.headers["content-type"]?.hasPrefix("text/javascript") == true && script.body.contains("/console/progress.json"))
        #expect(try web.get("/console/progress.json").status == 303, "no session, no counts")

        func progress() throws -> [String: Any] {
            let answer = try get("/console/progress.json")
            #expect(answer.status == 200 && answer.headers["content-type"]?.hasPrefix("application/json") == true)
            #expect(!answer.body.contains("@"), "counts only: \(answer.body)")
            let list = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]])
            return try #require(list.first { ($0["id"] as? Int).map(String.init) == id })
        }
        let before = try progress()
        #expect(before["status"] as? String == "scheduled" && before["total"] as? Int == 0 && before["sent_per_minute"] == nil, "\(before)")
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let after = try progress()
        #expect(after["status"] as? String == "done" && after["sent"] as? Int == 12 && after["total"] as? Int == 12 && after["percent"] as? Int == 100, "\(after)")
        #expect((after["sent_per_minute"] as? Double ?? 0) > 0, "a finished campaign keeps its average rate")
        let done = try get("/console")
        #expect(!done.body.contains("data-live") && !done.body.contains("http-equiv=\"refresh\""), "nothing left to watch")
        #expect(done.body.contains("/min</td>"), "the rate is on the page too")
    }
}
