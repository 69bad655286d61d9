import ArgumentParser
import Foundation
import Herald
import Store

extension CampaignCommand {
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a draft, or a scheduled campaign that has not started (exit 65 once it has).",
            discussion: "Segments: \(Segment.termsHelp); an empty --segment '' means everyone who agreed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The campaign id.") var id: Int64
        @Option(help: "A new subject line.") var subject: String?
        @Option(help: ArgumentHelp("A file with the new body.", valueName: "file")) var body: String?
        @Option(help: "markdown or html.") var format: String?
        @Option(help: "A new preheader.") var preheader: String?
        @Option(help: ArgumentHelp("A new segment expression or saved segment's name.", valueName: "expr")) var segment: String?
        @Option(help: ArgumentHelp("A new start time, ISO 8601.", valueName: "time")) var at: String?
        @Option(help: "A new name.") var name: String?
        @Option(help: "Another template (frame) of the same kind.") var template: String?

        func validate() throws {
            do {
                _ = try format.map { (text) throws(HeraldError) in try CampaignWordsInput.format(text) }
                _ = try CampaignWordsInput.time(at, option: "--at")
                if let segment, segment.contains(":") { _ = try Segment.parse(segment) }
            } catch { throw ValidationError(error.message) }
        }

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let app = try global.openApp()
                let campaigns = app.campaigns
                var changes = CampaignChanges(name: name, template: template, subject: subject, preheader: preheader,
                                              body: try body.map { (file) throws(HeraldError) in try CampaignWordsInput.body(file) },
                                              format: try format.map { (text) throws(HeraldError) in try CampaignWordsInput.format(text) },
                                              at: try CampaignWordsInput.time(at, option: "--at"))
                if let segment { changes.segment = .some(try campaigns.segment(segment)) }
                let report = try campaigns.edit(id: id, changes, catalog: try app.catalog())
                Terminal.say("campaign \(report.id) (\(report.status)) changed; it would reach \(report.audience ?? 0) now")
            }
        }
    }

    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Schedule a draft (or move a scheduled campaign): at --at, or now.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The campaign id.") var id: Int64
        @Option(help: ArgumentHelp("When to start, ISO 8601; default now.", valueName: "time")) var at: String?

        func validate() throws {
            do { _ = try CampaignWordsInput.time(at, option: "--at") } catch { throw ValidationError(error.message) }
        }

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let app = try global.openApp()
                let report = try app.campaigns.schedule(id: id, at: try CampaignWordsInput.time(at, option: "--at"), catalog: try app.catalog())
                Terminal.say("campaign \(report.id) scheduled for \(ISO8601DateFormatter().string(from: report.dueAt)); it would reach \(report.audience ?? 0) now")
            }
        }
    }

    struct Duplicate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy a campaign as a new draft; prints the copy's id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The campaign id.") var id: Int64

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                Terminal.say(String(try global.openApp().campaigns.duplicate(id: id).id))
            }
        }
    }
}
