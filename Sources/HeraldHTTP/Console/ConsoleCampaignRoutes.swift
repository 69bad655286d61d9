import Foundation
import Herald
import Hummingbird
import Store

/// `/console/campaigns/…`: the form that builds a campaign (kind, template, a segment of products and purposes
/// with its audience counted, a send time in the staff member's time zone) and the cancel and retry buttons.
/// Every change is audited; every form carries the session's CSRF value.
struct ConsoleCampaignRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let console: ConsoleRoutes

    /// What marketing sends from the console; policy notices come from `herald policy publish`.
    static let kinds: [CampaignKind] = [.productNews, .promotion]

    func add(to router: Router<BasicRequestContext>) {
        router.get("console/campaigns/new") { request, _ in
            await console.signedIn(request) { account, token in try form(account, token: token, input: FormInput()) }
        }
        router.post("console/campaigns/new") { request, _ in
            await console.signedInForm(request) { account, token, form in try create(account, token: token, form: form) }
        }
        // The audience size as the form changes (the console's script asks; without it, "Count the audience").
        router.get("console/campaigns/audience") { request, _ in
            let input = FormInput(FormBody(query: request))
            return await console.signedIn(request) { account, _ in
                do {
                    try input.validate()
                    return APIJSON.answer(AudienceCount(try app.campaigns.audienceSize(kind: input.kind, segment: try input.segment()), for: account))
                } catch let error as HeraldError where error.kind == .usage || error.kind == .dataError {
                    return APIJSON.error(.badRequest, error.message)
                }
            }
        }
        router.post("console/campaigns/:id/cancel") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            return await console.signedInForm(request) { account, _, _ in
                try consoleCampaign(id)
                let report = try app.campaigns.cancel(id: id)
                try app.staff.audit(account, "campaign.cancel", "campaign \(id) (\(report.name))")
                return ConsoleRoutes.backToDashboard()
            }
        }
        router.post("console/campaigns/:id/retry") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? 0
            return await console.signedInForm(request) { account, _, _ in
                try consoleCampaign(id)
                let (report, queued) = try app.campaigns.retry(id: id)
                try app.staff.audit(account, "campaign.retry", "campaign \(id) (\(report.name)): \(queued) queued again")
                return ConsoleRoutes.backToDashboard()
            }
        }
    }

    /// Only the campaigns the console makes can be changed from it: not the standing confirmation campaign (every
    /// double opt-in mail waits in it) nor a policy notice (`herald policy publish` owns those).
    private func consoleCampaign(_ id: Int64) throws(HeraldError) {
        let report = try app.campaigns.report(id: id)
        guard Self.kinds.contains(report.kind) else {
            throw HeraldError(.conflict, "campaign \(id) is a \(report.kind.rawValue) campaign, which the console does not change")
        }
    }

    /// The form's fields, as typed.
    struct FormInput {
        var name = ""
        var kind = CampaignKind.productNews
        var template = "product-news"
        var products: Set<String> = []
        var purposes: Set<Purpose> = []
        var sendAt = ""
        var timeZone = "UTC"

        init() {}

        /// `rawKind`: the kind as posted, refused in `validate` unless the console offers it.
        var rawKind = CampaignKind.productNews.rawValue

        /// As posted, or as the live audience count's query carries them.
        init(_ form: FormBody) {
            name = form.first("name") ?? ""
            rawKind = form.first("kind") ?? ""
            kind = CampaignKind(rawValue: rawKind) ?? .productNews
            template = form.first("template") ?? ""
            products = Set(form.all("product"))
            purposes = Set(form.all("purpose").compactMap(Purpose.init(rawValue:)))
            sendAt = form.first("send_at") ?? ""
            timeZone = form.first("time_zone") ?? "UTC"
        }

        /// Each product checked as a registration checks it, so what is counted is what the start will queue.
        func segment() throws(HeraldError) -> Segment? {
            guard !products.isEmpty || !purposes.isEmpty else { return nil }
            var names: [String] = []
            for product in products.sorted() { names.append(try RegistrationRules.product(product)) }
            return Segment(products: Array(Set(names)).sorted(), purposes: purposes.sorted { $0.rawValue < $1.rawValue })
        }

        /// A kind the console does not offer (a policy notice, a confirmation) is refused, not taken for another.
        func validate() throws(HeraldError) {
            guard let posted = CampaignKind(rawValue: rawKind), ConsoleCampaignRoutes.kinds.contains(posted) else {
                throw HeraldError(.usage, "the console makes product-news and promotion campaigns, not '\(rawKind)'")
            }
        }

        /// `yyyy-MM-ddTHH:mm[:ss]` (as a browser's date-and-time control sends it) in the chosen zone; nil (now) when empty.
        func dueAt() throws(HeraldError) -> Date? {
            guard !sendAt.isEmpty else { return nil }
            guard let zone = TimeZone(identifier: timeZone) else { throw HeraldError(.usage, "unknown time zone '\(timeZone)'") }
            let parser = DateFormatter()
            parser.locale = Locale(identifier: "en_US_POSIX")
            parser.timeZone = zone
            for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm"] {
                parser.dateFormat = format
                if let date = parser.date(from: sendAt) { return date }
            }
            throw HeraldError(.usage, "the send time '\(sendAt)' is not a date and time")
        }
    }

    private func create(_ account: StaffAccount, token: String, form: FormBody) throws -> Response {
        let input = FormInput(form)
        do {
            try input.validate()
            if form.first("action") == "preview" {
                // The chosen template, for a person who owns the products this segment picks.
                let query = ConsoleTemplateRoutes.SampleShape.query(for: SampleRecipient(name: SampleRecipient.standIn.name,
                                                                                          products: input.products.sorted()))
                let template = input.template.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ""
                return Response(status: .seeOther, headers: [.location: "/console/templates/\(template)/preview?" + query])
            }
            guard form.first("action") == "create" else { return try self.form(account, token: token, input: input, counted: true) }
            let due = try input.dueAt()
            if let due, due < app.clock().addingTimeInterval(-60) { throw HeraldError(.usage, "the send time is in the past") }
            let report = try app.campaigns.create(kind: input.kind, template: input.template, catalog: try app.catalog(), segment: try input.segment(),
                                                  at: due, name: input.name.isEmpty ? nil : input.name)
            try app.staff.audit(account, "campaign.create", "campaign \(report.id) (\(report.name)), due \(ConsoleRoutes.timestamp(report.dueAt))")
            return ConsoleRoutes.backToDashboard()
        } catch let error as HeraldError where error.kind == .usage || error.kind == .dataError || error.kind == .conflict {
            return try self.form(account, token: token, input: input, problem: error.message, status: .badRequest)
        }
    }

    private func form(_ account: StaffAccount, token: String, input: FormInput, counted: Bool = false, problem: String? = nil,
                      status: HTTPResponse.Status = .ok) throws -> Response {
        let catalog = try app.catalog()
        let products = try app.consent.productNames()
        var values = console.common(account, token: token)
        values["name"] = input.name
        values["kinds"] = Self.kinds.map { ["value": $0.rawValue, "label": Pages.sentence($0.rawValue.replacingOccurrences(of: "-", with: " ")),
                                             "selected": $0 == input.kind] }
        values["templates"] = catalog.templates.values.filter { template in Self.kinds.contains { $0.rawValue == template.kind } }
            .sorted { $0.name < $1.name }
            .map { ["name": $0.name, "kind": $0.kind, "description": $0.description ?? "", "selected": $0.name == input.template] }
        values["products"] = products.map { ["name": $0, "checked": input.products.contains($0)] }
        values["purposes"] = Purpose.allCases.map { ["name": $0.rawValue, "label": Pages.sentence($0.phrase), "checked": input.purposes.contains($0)] }
        // Shown again only when it is a date and time: a date-and-time control cannot hold anything else.
        values["send_at"] = (try? input.dueAt()) == nil ? "" : input.sendAt
        values["zones"] = TimeZone.knownTimeZoneIdentifiers.sorted().map { ["name": $0, "selected": $0 == input.timeZone] }
        if counted {
            values["audience"] = AudienceCount(try app.campaigns.audienceSize(kind: input.kind, segment: try input.segment()), for: account).text
        }
        if let problem { values["problem"] = problem }
        return pages.page("console-campaign-new", title: "New campaign", status: status, values)
    }
}
