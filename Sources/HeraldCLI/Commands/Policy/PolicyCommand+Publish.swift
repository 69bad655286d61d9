import ArgumentParser
import Foundation
import Herald
import Mail
import Store

extension PolicyCommand {
    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a new privacy-policy version; a material change (or --notify) creates its policy-change notice.",
            discussion: """
                The notice goes to everyone whose information is stored, including people who opted out of marketing, \
                but never to an erased, bounced, complained or suppressed address. A material change must take effect \
                at least policy.notice_days (default 30) days from today unless --force, and its notice lets each \
                person accept or decline; a purpose it adds (--adds-purpose) is granted to nobody until they accept. \
                Publishing the same version again mails nobody twice.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The version's name, such as 2027-01 or v3.") var version: String
        @Option(help: ArgumentHelp("A UTF-8 text file: what changed, as people are told.", valueName: "file")) var summary: String
        @Flag(help: "The information is to be used in a way that differs from what people agreed to.") var material = false
        @Option(help: ArgumentHelp("When it takes effect, YYYY-MM-DD (default today).", valueName: "date")) var effective: String?
        @Flag(help: "Mail the notice even though the change is not material.") var notify = false
        @Option(help: ArgumentHelp("A purpose this version adds (product-news or promotions).", valueName: "purpose")) var addsPurpose: String?
        @Flag(help: "Publish a material change with less notice than policy.notice_days.") var force = false
        @Option(help: "The notice's template (default: the one template of kind policy-change).") var template: String?
        @Option(help: ArgumentHelp("A UTF-8 text file: the whole policy, shown on /policy (without it, /policy shows the summary).",
                                   valueName: "file")) var text: String?
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            do { _ = try parsed() } catch { throw ValidationError(error.message) }
        }

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let (effectiveAt, purpose) = try parsed()
                var request = PolicyService.Publication(version: version, summaryFile: summary, material: material, effective: effectiveAt,
                                                        notify: notify, addsPurpose: purpose, force: force, template: template)
                request.textFile = text
                let publication = try global.openApp().publishPolicy(request)
                if json {
                    Terminal.say(Terminal.json(PublishResult(publication)))
                    return
                }
                let stored = publication.version
                Terminal.say(publication.versionCreated
                    ? "published policy version \(stored.version)\(stored.material ? " (material)" : ""), effective \(CivilDate(stored.effectiveAt))"
                    : "policy version \(stored.version) was published already, on \(CivilDate(stored.publishedAt)); nothing was changed")
                if publication.withdrawnGrants > 0, let purpose = stored.addsPurpose {
                    Terminal.say("\(purpose) is now granted to nobody until they accept: \(publication.withdrawnGrants) earlier consents no longer count")
                }
                if let notice = publication.notice {
                    Terminal.say(publication.noticeCreated
                        ? "notice: campaign \(notice.id ?? 0), due now (herald worker sends it)"
                        : "notice: campaign \(notice.id ?? 0), created before; nobody is mailed twice")
                }
            }
        }

        private func parsed() throws(HeraldError) -> (Date?, Purpose?) {
            let date = try effective.map { (text) throws(HeraldError) in try PolicyService.Publication.effectiveDate(text) }
            let purpose = try addsPurpose.map { (text) throws(HeraldError) in try Purpose.parse(text) }
            return (date, purpose)
        }
    }

    /// `--json`: what was published and what it did.
    struct PublishResult: Encodable {
        var version: PolicyVersion
        var versionCreated: Bool
        var noticeCampaign: Int64?
        var noticeCreated: Bool
        var withdrawnGrants: Int

        init(_ publication: PolicyPublication) {
            version = publication.version
            versionCreated = publication.versionCreated
            noticeCampaign = publication.notice?.id
            noticeCreated = publication.noticeCreated
            withdrawnGrants = publication.withdrawnGrants
        }
    }
}
