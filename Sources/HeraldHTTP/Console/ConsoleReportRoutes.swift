import Foundation
import Herald
import Hummingbird
import Store

/// `/console/reports`: the aggregate report (`herald report`'s, with cells under ten suppressed: staff can
/// raise that floor, never lower it) and each campaign's outcome over time as a chart drawn on the server.
/// An administrator also sees a campaign's problems: each recipient not sent, with the server's last reply.
struct ConsoleReportRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let console: ConsoleRoutes

    /// The console's floor for a cell: the same default as `herald report`.
    static let minimumCell = 10
    static let problemsShown = 500

    func add(to router: Router<BasicRequestContext>) {
        router.get("console/reports") { request, _ in
            let asked = Int(request.uri.queryParameters.get("min_cell") ?? "") ?? Self.minimumCell
            return await console.signedIn(request) { account, token in try aggregate(account, token: token, minimumCell: max(asked, Self.minimumCell)) }
        }
        router.get("console/reports/campaigns/:id") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            return await console.signedIn(request) { account, token in try campaign(account, token: token, id: id) }
        }
        router.get("console/campaigns/:id/problems") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            return await console.signedIn(request, role: .admin) { account, token in try problems(account, token: token, id: id) }
        }
    }

    private func aggregate(_ account: StaffAccount, token: String, minimumCell: Int) throws -> Response {
        let report = try app.report(minimumCell: minimumCell)
        func cell(_ value: Int?) -> String { value.map(String.init) ?? "fewer than \(minimumCell)" }
        // Where counts add up to the people stored, a hidden one may be a larger count hidden so that a small one
        // cannot be worked out: "fewer than" would not be true of it, and every hidden count there looks the same.
        func covered(_ value: Int?) -> String { value.map(String.init) ?? "hidden" }
        func rows(_ cells: [String: Int?]) -> [[String: Any]] {
            cells.keys.sorted().map { ["label": $0, "count": cell(cells[$0] ?? nil)] }
        }
        var values = console.common(account, token: token)
        values["min_cell"] = String(minimumCell)
        values["recipients"] = cell(report.recipients)
        values["purposes"] = Purpose.allCases.map { purpose -> [String: Any] in
            let cells = report.byPurpose[purpose.rawValue]
            return ["label": Pages.sentence(purpose.phrase), "granted": covered(cells?.granted), "revoked": covered(cells?.revoked),
                    "never": covered(cells?.never)]
        }
        values["products"] = rows(report.byProduct)
        values["has_products"] = !report.byProduct.isEmpty
        values["ages"] = (AggregateReport.ageBands.map(\.label) + ["unknown"]).map { ["label": $0, "count": covered(report.byAgeBand[$0] ?? nil)] }
        values["suppressions"] = rows(report.suppressionsByReason)
        values["has_suppressions"] = !report.suppressionsByReason.isEmpty
        values["messages"] = rows(report.messagesByStatus)
        values["has_messages"] = !report.messagesByStatus.isEmpty
        let started = try app.campaigns.progress().filter { $0.report.startedAt != nil }
        values["campaigns"] = started.map { item -> [String: Any] in
            ["id": String(item.report.id), "name": item.report.name, "status": item.report.status.rawValue, "sent": item.progress.sent, "total": item.progress.total]
        }
        values["has_campaigns"] = !started.isEmpty
        return pages.page("console-reports", title: "Reports", values)
    }

    private func campaign(_ account: StaffAccount, token: String, id: Int64) throws -> Response {
        let report = try app.campaigns.report(id: id)
        let progress = CampaignProgress(report, now: app.clock())
        var values = console.common(account, token: token)
        var campaign = ConsoleRoutes.campaignValues(report, progress, for: account)
        for (key, value) in Self.about(report, for: account) { campaign[key] = value }
        values["campaign"] = campaign
        let due = report.status == .scheduled && report.dueAt <= app.clock()
        values["refresh"] = report.status == .sending || due
        values["watch"] = ConsoleRoutes.watchValues(try app.sendingWatch(), for: account, live: report.status == .sending || report.status == .scheduled)
        if let timeline = try app.campaigns.timeline(of: report) {
            values["started"] = ConsoleRoutes.timestamp(timeline.from)
            values["ended"] = report.finishedAt.map(ConsoleRoutes.timestamp) ?? "still sending"
            values["attempts"] = timeline.attempts
            values["chart"] = TimelineChart(timeline: timeline).svg(titled: "Delivery attempts of \(report.name) over time, by outcome")
            values["legend"] = CampaignTimeline.outcomes.map { ["outcome": $0.rawValue, "colour": $0.rawValue] }
            values["stretches"] = timeline.stretches.filter { $0.total > 0 }.map { stretch -> [String: Any] in
                var row: [String: Any] = ["start": ConsoleRoutes.timestamp(stretch.start)]
                for outcome in CampaignTimeline.outcomes { row[outcome.rawValue] = stretch.counts[outcome] ?? 0 }
                return row
            }
        }
        return pages.page("console-campaign-report", title: "Report: \(report.name)", values)
    }

    /// What a campaign is: its template (the frame), who it goes to, its subject, and how many unsubscribed
    /// through its own links (a count; for marketing, under the report's floor only "fewer than" it).
    static func about(_ report: CampaignReport, for account: StaffAccount) -> [String: Any] {
        var values: [String: Any] = ["template": report.template]
        if let segment = report.segment {
            values["segment"] = segment
        } else if let purpose = report.kind.purpose {
            values["segment"] = "everyone who agreed to " + (purpose == .productNews ? "product news" : purpose.phrase)
        } else {
            values["segment"] = "everyone stored"
        }
        values["subject"] = report.words?.subject ?? "the template's own"
        values["own_subject"] = report.words != nil
        if report.kind.purpose != nil {
            let count = AudienceCount(report.unsubscribes, for: account)
            values["unsubscribes"] = count.audience.map(String.init) ?? "fewer than \(count.fewerThan ?? 0)"
        }
        return values
    }

    private func problems(_ account: StaffAccount, token: String, id: Int64) throws -> Response {
        let report = try app.campaigns.report(id: id)
        let problems = try app.campaigns.problems(id: id, limit: Self.problemsShown)
        try app.staff.audit(account, "campaign.problems.view", "campaign \(id) (\(report.name)): \(problems.count) recipients shown")
        var values = console.common(account, token: token)
        values["campaign"] = ["id": String(id), "name": report.name]
        values["problems"] = problems.map { problem -> [String: Any] in
            let reply = [problem.code.map(String.init), problem.enhancedStatus, problem.reply].compactMap { $0 }.joined(separator: " ")
            return ["email": problem.email ?? "(erased since)", "state": problem.state.rawValue, "attempts": problem.attempts,
                    "reply": reply.isEmpty ? "no reply" : reply]
        }
        values["none"] = problems.isEmpty
        values["limited"] = problems.count == Self.problemsShown
        values["limit"] = String(Self.problemsShown)
        return pages.page("console-problems", title: "Problems: \(report.name)", values)
    }
}
