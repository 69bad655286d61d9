import ArgumentParser
import Foundation
import Herald
import Store

extension CampaignCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a campaign and print its id; due now unless --at says when.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "product-news, promotion or policy-change.") var kind: String
        @Option(help: "The template folder's name.") var template: String
        @Option(help: "Who among the consenting: product:NAME[,product:NAME…] (any of them).") var segment: String?
        @Option(help: ArgumentHelp("When to start, ISO 8601 (2026-12-01T09:00:00Z).", valueName: "time")) var at: String?
        @Option(help: "A name for listings.") var name: String?

        /// Every option is checked before the configuration is even read.
        func validate() throws {
            do { _ = try parsed() } catch { throw ValidationError(error.message) }
        }

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let (kind, segment, due) = try parsed()
                let app = try global.openApp()
                let report = try app.campaigns.create(kind: kind, template: template, catalog: try app.catalog(),
                                                      segment: segment, at: due, name: name)
                Terminal.say(String(report.id))
            }
        }

        private func parsed() throws(HeraldError) -> (CampaignKind, Segment?, Date?) {
            let kind = try CampaignKind.parse(kind)
            let segment = try segment.map { (text) throws(HeraldError) in try Segment.parse(text) }
            guard let at else { return (kind, segment, nil) }
            guard let due = ISO8601DateFormatter().date(from: at) ?? Self.fractional.date(from: at) else {
                throw HeraldError(.usage, "--at '\(at)' is not an ISO 8601 time such as 2026-12-01T09:00:00Z")
            }
            return (kind, segment, due)
        }

        nonisolated(unsafe) static let fractional: ISO8601DateFormatter = {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter
        }()
    }
}
