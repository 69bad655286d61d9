import ArgumentParser
import Foundation
import Herald
import Store

extension CampaignCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a campaign and print its id; due now unless --at says when, or a draft with --draft.",
            discussion: """
                A campaign brings its own words (--subject and --body, with --preheader) into its template, the kind's \
                frame, which keeps the unsubscribe link, the postal address and a promotion's ADVERTISEMENT line. \
                Without --subject and --body the template's own words go out. Words may use {{first_name}}, {{name}}, \
                {{attributes.NAME}} and the template variables; a problem is reported with its line.

                Segments: \(Segment.termsHelp).
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "product-news, promotion or policy-change.") var kind: String
        @Option(help: "The template (frame) folder's name; default: the kind's own.") var template: String?
        @Option(help: "The subject line (needs --body).") var subject: String?
        @Option(help: ArgumentHelp("A file with the body (needs --subject).", valueName: "file")) var body: String?
        @Option(help: "markdown (default) or html.") var format: String = "markdown"
        @Option(help: "The line mail clients show after the subject.") var preheader: String?
        @Option(help: ArgumentHelp("Who among the consenting: terms such as product:NAME, purpose:PURPOSE, attribute:NAME=VALUE, or a saved segment's name.",
                                   valueName: "expr")) var segment: String?
        @Option(help: ArgumentHelp("When to start, ISO 8601 (2026-12-01T09:00:00Z).", valueName: "time")) var at: String?
        @Option(help: "A name for listings (default: the subject).") var name: String?
        @Flag(help: "Save it unscheduled; herald campaign schedule sends it.") var draft = false

        /// Every option is checked before the configuration is even read.
        func validate() throws {
            do { _ = try parsed() } catch { throw ValidationError(error.message) }
            if draft, at != nil { throw ValidationError("--draft is saved unscheduled; give --at to herald campaign schedule instead") }
            if (subject == nil) != (body == nil) { throw ValidationError("a campaign's own words need both --subject and --body") }
            if template == nil, subject == nil { throw ValidationError("give --template, or the campaign's own words with --subject and --body") }
        }

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let (kind, due) = try parsed()
                let app = try global.openApp()
                let campaigns = app.campaigns
                let segment = try campaigns.segment(segment)
                let words = try CampaignWordsInput.words(subject: subject, bodyFile: body, format: format, preheader: preheader)
                let report = try campaigns.create(CampaignDraft(kind: kind, template: template, words: words, segment: segment, at: due,
                                                                name: name, draft: draft), catalog: try app.catalog())
                let audience = try campaigns.audienceSize(kind: kind, segment: segment)
                if audience == 0 {
                    Terminal.warn("campaign \(report.id) reaches nobody now: nobody\(segment.map { " in segment \($0)" } ?? "") may receive \(kind) mail")
                } else {
                    Terminal.note("campaign \(report.id) (\(report.status)) would reach \(audience) \(audience == 1 ? "person" : "people") now")
                }
                Terminal.say(String(report.id))
            }
        }

        private func parsed() throws(HeraldError) -> (CampaignKind, Date?) {
            let kind = try CampaignKind.parse(kind)
            if let segment, segment.contains(":") { _ = try Segment.parse(segment) }
            _ = try CampaignWordsInput.format(format)
            return (kind, try CampaignWordsInput.time(at, option: "--at"))
        }
    }
}

/// The words and times the campaign commands take, as typed.
enum CampaignWordsInput {
    static func format(_ text: String) throws(HeraldError) -> BodyFormat {
        guard let format = BodyFormat(rawValue: text.lowercased()) else {
            throw HeraldError(.usage, "--format '\(text)': expected markdown or html")
        }
        return format
    }

    /// The body read from its file (UTF-8), with the subject and preheader; nil when no words are given.
    static func words(subject: String?, bodyFile: String?, format: String, preheader: String?) throws(HeraldError) -> CampaignWords? {
        guard let subject, let bodyFile else { return nil }
        return CampaignWords(subject: subject, preheader: preheader ?? "", body: try body(bodyFile), format: try self.format(format))
    }

    static func body(_ file: String) throws(HeraldError) -> String {
        guard let data = FileManager.default.contents(atPath: file) else { throw HeraldError(.dataError, "\(file): cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw HeraldError(.dataError, "\(file): is not UTF-8 text") }
        return text
    }

    static func time(_ text: String?, option: String) throws(HeraldError) -> Date? {
        guard let text else { return nil }
        guard let due = ISO8601DateFormatter().date(from: text) ?? fractional.date(from: text) else {
            throw HeraldError(.usage, "\(option) '\(text)' is not an ISO 8601 time such as 2026-12-01T09:00:00Z")
        }
        return due
    }

    nonisolated(unsafe) static let fractional: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
