import ArgumentParser
import Foundation
import Herald

extension CampaignCommand {
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
                      subject   \(report.words.map(\.subject) ?? "the template's own")
                      status    \(report.status)
                      due       \(ISO8601DateFormatter().string(from: report.dueAt))
                      queued    \(c.queued + c.sending)
                      sent      \(c.sent)
                      deferred  \(c.deferred)
                      bounced   \(c.bounced)
                      skipped   \(c.skipped)
                      failed    \(c.failed)
                    """)
                if let audience = report.audience { Terminal.say("  would reach \(audience) now") }
                if report.kind.purpose != nil { Terminal.say("  unsubscribed through its links: \(report.unsubscribes)") }
                if let version = report.policyVersion { Terminal.say("  announces policy version \(version)") }
                if let problem = report.problem { Terminal.say("  failed before its first message: \(problem)") }
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
