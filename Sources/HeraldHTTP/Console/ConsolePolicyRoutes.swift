import Foundation
import Herald
import Hummingbird
import Mail
import Store

/// `/console/policy` (admins only): the privacy policy's versions, and a form that publishes a new one with
/// `herald policy publish`'s rules (the same service): a material change announced `policy.notice_days` ahead
/// unless forced, its notice campaign created in the same transaction, a purpose it adds granted to nobody
/// until they accept. Publishing is audited.
struct ConsolePolicyRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let console: ConsoleRoutes

    func add(to router: Router<BasicRequestContext>) {
        router.get("console/policy") { request, _ in
            await console.signedIn(request, role: .admin) { account, token in try page(account, token: token, form: nil) }
        }
        router.post("console/policy/publish") { request, _ in
            await console.signedInForm(request, role: .admin) { account, token, form in
                do {
                    let publication = try app.publishPolicy(try Self.publication(form))
                    let stored = publication.version
                    guard publication.versionCreated else {
                        return try page(account, token: token, form: form, notice: "Version \(stored.version) was published already, on "
                            + "\(CivilDate(stored.publishedAt)); nothing was changed.")
                    }
                    var subject = "version \(stored.version)\(stored.material ? " (material)" : ""), effective \(CivilDate(stored.effectiveAt))"
                    if let notice = publication.notice?.id { subject += ", notice campaign \(notice)" }
                    try app.staff.audit(account, "policy.publish", subject)
                    var notice = "Published version \(stored.version), effective \(CivilDate(stored.effectiveAt))."
                    if let campaign = publication.notice?.id { notice += " Its notice is campaign \(campaign), due now: the worker sends it." }
                    if publication.withdrawnGrants > 0, let purpose = stored.addsPurpose {
                        notice += " \(Pages.sentence(purpose.phrase)) is now granted to nobody until they accept (\(publication.withdrawnGrants) earlier consents no longer count)."
                    }
                    return try page(account, token: token, form: nil, notice: notice)
                } catch let error as HeraldError where [.usage, .dataError, .conflict, .configuration].contains(error.kind) {
                    return try page(account, token: token, form: form, problem: Pages.sentence(error.message) + ". Nothing was published.", status: .badRequest)
                }
            }
        }
    }

    static func publication(_ form: FormBody) throws(HeraldError) -> PolicyService.Publication {
        let effective = try (form.first("effective")).flatMap { $0.isEmpty ? nil : $0 }
            .map { (text) throws(HeraldError) in try PolicyService.Publication.effectiveDate(text, field: PolicyService.Publication.Wording.console.effective) }
        let purpose = try (form.first("adds_purpose")).flatMap { $0.isEmpty ? nil : $0 }.map { (text) throws(HeraldError) in try Purpose.parse(text) }
        var publication = PolicyService.Publication(version: form.first("version") ?? "", summary: .text(form.first("summary") ?? ""),
                                                    material: form.first("material") == "yes", effective: effective,
                                                    notify: form.first("notify") == "yes", addsPurpose: purpose, force: form.first("force") == "yes",
                                                    template: form.first("template").flatMap { $0.isEmpty ? nil : $0 })
        publication.wording = .console
        return publication
    }

    private func page(_ account: StaffAccount, token: String, form: FormBody?, notice: String? = nil, problem: String? = nil,
                      status: HTTPResponse.Status = .ok) throws -> Response {
        var values = console.common(account, token: token)
        let versions = try app.policy.history()
        values["versions"] = versions.reversed().map { version -> [String: Any] in
            ["version": version.version, "material": version.material, "effective": String(describing: CivilDate(version.effectiveAt)),
             "published": ConsoleRoutes.timestamp(version.publishedAt), "adds": version.addsPurpose.map { Pages.sentence($0.phrase) } ?? "",
             "summary": version.summary]
        }
        values["none"] = versions.isEmpty
        values["notice_days"] = String(app.configuration.policy.noticeDays)
        values["version"] = form?.first("version") ?? ""
        values["summary"] = form?.first("summary") ?? ""
        values["effective"] = form?.first("effective") ?? ""
        values["material"] = form?.first("material") == "yes"
        values["notify"] = form?.first("notify") == "yes"
        values["force"] = form?.first("force") == "yes"
        // With several notice templates the form asks which; with one, the service takes it.
        let notices = PolicyService.noticeTemplates(in: try app.catalog())
        let template = form?.first("template") ?? ""
        values["notice_templates"] = notices.map { ["name": $0, "selected": $0 == template] }
        values["choose_template"] = notices.count > 1
        let chosen = form?.first("adds_purpose") ?? ""
        values["purposes"] = Purpose.allCases.map { ["value": $0.rawValue, "label": Pages.sentence($0.phrase), "selected": $0.rawValue == chosen] }
        if let notice { values["notice"] = notice }
        if let problem { values["problem"] = problem }
        return pages.page("console-policy", title: "Privacy policy", status: status, values)
    }
}
