import ArgumentParser
import Foundation
import Herald

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
}
