import ArgumentParser
import Foundation
import Herald

extension CampaignCommand {
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
                    Terminal.say([pad(String(report.id), 3), pad(report.status.rawValue, 10), pad(report.kind.rawValue, 13), pad(String(c.queued + c.sending), 6),
                                  pad(String(c.sent), 5), pad(String(c.deferred), 8), pad(String(c.bounced), 7),
                                  pad(String(c.skipped), 7), pad(String(c.failed), 6), report.name].joined(separator: " "))
                }
            }
        }
    }
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
