import Foundation
import Testing

/// The console's reports (Step 9): the aggregate report with small cells suppressed (a floor staff can raise,
/// never lower), a campaign's outcome over time drawn on the server as SVG with the same numbers as a table,
/// and, for administrators only, the recipients not sent with the server's last reply, audited.
@Suite(.serialized)
struct ConsoleReportTests {
    @Test func reportsShowGroupsAndOutcomesOverTimeAndOnlyAdminsSeeProblems() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let spool = sandbox.folder.appendingPathComponent("spool").path
        let smtp = try SMTPTestServer(spool: spool, rejecting: ["gone@example.com": 550, "busy@example.com": 451])
        defer { smtp.stop() }
        let web = try WebServer(sandbox, smtpPort: smtp.port)
        defer { web.stop() }
        let people = (1...12).map { "p\($0)@example.com,kronos,promotions\n" }.joined() + "gone@example.com,volca,promotions\nbusy@example.com,volca,promotions\n"
        try ("email,products,consents\n" + people).write(toFile: sandbox.folder.appendingPathComponent("people.csv").path, atomically: true, encoding: .utf8)
        #expect(try sandbox.herald(["recipients", "import", sandbox.folder.appendingPathComponent("people.csv").path]).status == 0)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: ConsoleTests.password + "\n").status == 0)
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: ConsoleTests.password + "\n").status == 0)
        let max = try ConsoleClient(web, "max@staff.example"), ada = try ConsoleClient(web, "ada@staff.example")

        let id = try sandbox.createCampaign(["--kind", "promotion", "--template", "promotion", "--name", "Winter sale"])
        let unstarted = try max.get("/console/reports/campaigns/\(id)")
        #expect(unstarted.status == 200 && unstarted.body.contains("nothing to draw") && !unstarted.body.contains("<svg"))
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)

        // Groups only: 12 own a kronos (shown), 2 a volca (under ten: not shown, even when asked for a floor of 1).
        let report = try max.get("/console/reports?min_cell=1")
        #expect(report.status == 200 && report.body.contains("People stored: <strong>14</strong>"), "\(report.status)")
        #expect(report.body.contains("<th scope=\"row\">kronos</th><td>12</td>") && report.body.contains("<th scope=\"row\">volca</th><td>fewer than 10</td>"))
        #expect(report.body.contains("value=\"10\"") && !report.body.contains("@example.com"), "the floor stays at ten; no address")
        // All 14 granted promotions: shown beside two hidden zeros, 14 would say so of each of them (Step 10).
        #expect(report.body.contains("<th scope=\"row\">Events and promotions</th><td>hidden</td><td>hidden</td><td>hidden</td>"), "\(report.body)")
        #expect(try max.get("/console/reports?min_cell=20").body.contains("<th scope=\"row\">kronos</th><td>fewer than 20</td>"), "a floor can be raised")
        #expect(report.body.contains("/console/reports/campaigns/\(id)"))

        // The campaign over time: 12 sent and 1 bounced at once; busy@ deferred twice, then failed (three attempts).
        let campaign = try max.get("/console/reports/campaigns/\(id)")
        #expect(campaign.status == 200 && campaign.body.contains("<svg") && campaign.body.contains("role=\"img\""), "\(campaign.status)")
        #expect(campaign.body.contains("16 in all"), "every attempt counted once")
        let titles = campaign.body.components(separatedBy: "<title>").dropFirst().map { String($0.prefix { $0 != "<" }) }
        func drawn(_ outcome: String) -> Int {
            titles.filter { $0.hasSuffix(" " + outcome) }.compactMap { Int($0.split(separator: " ").dropLast().last ?? "") }.reduce(0, +)
        }
        #expect(drawn("sent") == 12 && drawn("bounced") == 1 && drawn("deferred") == 2 && drawn("failed") == 1, "\(titles)")
        #expect(!campaign.body.contains("style=") && !campaign.body.contains("@example.com"), "presentation attributes only; no address")
        #expect(!campaign.body.contains("/problems"), "marketing is not offered the problems list")

        // The problems list: administrators only, each recipient with the last reply, and the look is audited.
        let refused = try max.get("/console/campaigns/\(id)/problems")
        #expect(refused.status == 403 && !refused.body.contains("@example.com"))
        #expect(try ada.get("/console/reports/campaigns/\(id)").body.contains("/console/campaigns/\(id)/problems"))
        let problems = try ada.get("/console/campaigns/\(id)/problems")
        #expect(problems.status == 200 && problems.body.contains("gone@example.com") && problems.body.contains("550"), "\(problems.status)")
        #expect(problems.body.contains("busy@example.com") && problems.body.contains("451") && !problems.body.contains("p1@example.com"))
        #expect(try ada.get("/console/campaigns/999/problems").status == 404)
        #expect(try max.get("/console/reports/campaigns/999").status == 404)
        let audit = try ada.get("/console/audit").body
        #expect(audit.contains("campaign.problems.view") && !audit.contains("gone@example.com"))
    }
}
