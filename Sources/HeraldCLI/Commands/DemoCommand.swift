import ArgumentParser
import Herald

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A whole run on a separate demo database: sample people, a campaign, the worker, and where the mail went.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Where the demo keeps its database and mail.") var folder = "var/demo"

    func run() throws {
        AllocatorTuning.forSending()
        try Terminal.run { () throws(HeraldError) in
            let report = try DemoRun.run(configuration: try global.loadConfiguration(), folder: folder) { progress in
                Terminal.progress(Terminal.progressLine(progress))
            }
            Terminal.endProgress()
            let c = report.campaign.counts
            let notQueued = report.notQueued.map { "\($0.count) \($0.reason)" }.joined(separator: "; ")
            let skipReasons = report.worker.skipReasons.map { "\($0.value) \($0.key): withdrew after the campaign was queued" }
            let skipped = skipReasons.isEmpty ? "" : " (" + skipReasons.joined(separator: "; ") + ")"
            let refused = "\(report.refusedUnder13) registration refused (under 13: nothing about them was stored)"
            let segment = report.campaign.segment ?? "-"
            var lines: [String] = ["Herald demo"]
            lines.append("  registered   \(report.registered) people; " + refused)
            lines.append("  campaign \(report.campaign.id)   \"\(report.campaign.name)\" (\(report.campaign.kind), segment \(segment))")
            lines.append("  not queued   " + notQueued)
            lines.append("  sent         \(c.sent) → \(report.mailFolder)/")
            lines.append("  skipped      \(c.skipped)" + skipped)
            lines.append("  deferred \(c.deferred), bounced \(c.bounced), failed \(c.failed)")
            lines.append("")
            lines.append("messages:")
            lines += report.files.map { "  \(report.mailFolder)/\($0)" }
            lines += ["", "The demo has its own database, \(report.database). To look at it with the other commands:",
                      "  HERALD_DATABASE=\(report.database) herald campaign show \(report.campaign.id)"]
            Terminal.say(lines.joined(separator: "\n"))
        }
    }
}
