import ArgumentParser
import Foundation
import Herald

extension CampaignCommand {
    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a campaign's failed and deferred recipients again (consent is checked again when each is sent).",
            discussion: "A campaign that failed as a whole (a template error) is scheduled again, due now, once its templates are fixed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The campaign id.") var id: Int64
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let (report, queued) = try global.openApp().campaigns.retry(id: id)
                if json { return Terminal.say(Terminal.json(report)) }
                Terminal.say(report.status == .scheduled ? "campaign \(id): scheduled again, due now"
                                                         : "campaign \(id): \(queued) recipients queued again")
            }
        }
    }
}
