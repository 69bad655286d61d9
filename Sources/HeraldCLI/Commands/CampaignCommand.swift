import ArgumentParser
import Foundation
import Herald

struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Create campaigns and follow them.",
        subcommands: [Create.self, List.self, Show.self, Cancel.self, Retry.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a campaign and print its id; due now unless --at says when.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "product-news, promotion or policy-change.") var kind: String
        @Option(help: "The template folder's name.") var template: String
        @Option(help: "Who among the consenting: product:NAME[,product:NAME…] (any of them).") var segment: String?
        @Option(help: ArgumentHelp("When to start, ISO 8601 (2026-12-01T09:00:00Z).", valueName: "time")) var at: String?
        @Option(help: "A name for listings.") var name: String?

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let kind = try CampaignKind.parse(kind)
                let segment = try segment.map { (text) throws(HeraldError) in try Segment.parse(text) }
                var due: Date?
                if let at {
                    guard let date = ISO8601DateFormatter().date(from: at) ?? Self.fractional.date(from: at) else {
                        throw HeraldError(.usage, "--at '\(at)' is not an ISO 8601 time such as 2026-12-01T09:00:00Z")
                    }
                    due = date
                }
                let app = try global.openApp()
                let report = try app.campaigns.create(kind: kind, template: template, catalog: try app.catalog(),
                                                      segment: segment, at: due, name: name)
                Terminal.say(String(report.id))
            }
        }

        nonisolated(unsafe) static let fractional: ISO8601DateFormatter = {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter
        }()
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every campaign with its status and counts.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let reports = try global.openApp().campaigns.list()
                if json { return Terminal.say(Terminal.json(reports)) }
                if reports.isEmpty { return Terminal.say("no campaigns") }
                Terminal.say("id  status     kind          queued  sent  deferred  bounced  skipped  failed  name")
                for report in reports {
                    let c = report.counts
                    Terminal.say([pad(String(report.id), 3), pad(report.status, 10), pad(report.kind, 13), pad(String(c.queued + c.sending), 6),
                                  pad(String(c.sent), 5), pad(String(c.deferred), 8), pad(String(c.bounced), 7),
                                  pad(String(c.skipped), 7), pad(String(c.failed), 6), report.name].joined(separator: " "))
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One campaign's status and per-recipient counts.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The campaign id.") var id: Int64
        @Flag(help: "Machine-readable output.") var json = false
        @Flag(help: "Also list each recipient not sent (deferred, bounced, failed, skipped) with the server's last reply.")
        var problems = false

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let campaigns = try global.openApp().campaigns
                let report = try campaigns.report(id: id)
                let problems = self.problems ? try campaigns.problems(id: id) : []
                if json {
                    return Terminal.say(self.problems ? Terminal.json(ReportWithProblems(campaign: report, problems: problems)) : Terminal.json(report))
                }
                let c = report.counts
                Terminal.say("""
                    campaign \(report.id): \(report.name)
                      kind      \(report.kind)
                      template  \(report.template)
                      segment   \(report.segment ?? "everyone consenting")
                      status    \(report.status)
                      due       \(ISO8601DateFormatter().string(from: report.dueAt))
                      queued    \(c.queued + c.sending)
                      sent      \(c.sent)
                      deferred  \(c.deferred)
                      bounced   \(c.bounced)
                      skipped   \(c.skipped)
                      failed    \(c.failed)
                    """)
                for problem in problems {
                    let reply = [problem.code.map(String.init), problem.enhancedStatus, problem.reply].compactMap { $0 }.joined(separator: " ")
                    Terminal.say("  \(problem.state) \(problem.email ?? "(erased)") after \(problem.attempts) attempts: \(reply)")
                }
            }
        }

        struct ReportWithProblems: Encodable {
            var campaign: CampaignReport
            var problems: [CampaignProblem]
        }
    }
}

extension CampaignCommand {
    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a campaign; what was sent stays sent.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The campaign id.") var id: Int64
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let report = try global.openApp().campaigns.cancel(id: id)
                if json { return Terminal.say(Terminal.json(report)) }
                Terminal.say("campaign \(id) cancelled: sent \(report.counts.sent), not sent \(report.counts.skipped)")
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a campaign's failed and deferred recipients again (consent is checked again when each is sent).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The campaign id.") var id: Int64
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let (report, queued) = try global.openApp().campaigns.retry(id: id)
                if json { return Terminal.say(Terminal.json(report)) }
                Terminal.say("campaign \(id): \(queued) recipients queued again")
            }
        }
    }
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
