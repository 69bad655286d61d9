import Foundation
import Herald
import Hummingbird
import Store

/// `/api/*`: the admin API over `HeraldApp`'s services, described by `OpenAPIDocument` (served at
/// `/api/openapi.yaml`). Campaigns: create (with their own words, or as drafts), list, show, edit, schedule,
/// duplicate, cancel, retry, problems. Named segments: list, save, remove. Recipients: add, export, erase
/// one person, by an address in the body (never in a URL, never a list). The aggregate report. Every change, every
/// export and every look at a problems list is audited with the token's name (`api:NAME`).
struct AdminAPIRoutes: Sendable {
    let app: HeraldApp
    let credential: AdminCredential

    struct NewCampaign: Decodable, Sendable {
        var kind: String
        var template: String?
        var subject: String?
        var preheader: String?
        var body: String?
        var format: String?
        var segment: String?
        var at: Date?
        var name: String?
        var draft: Bool?
    }

    /// What `PATCH /api/campaigns/{id}` changes; absent fields stay. `segment: ""` is everyone who agreed.
    struct CampaignEdit: Decodable, Sendable {
        var name: String?
        var template: String?
        var subject: String?
        var preheader: String?
        var body: String?
        var format: String?
        var segment: String?
        var at: Date?
    }

    struct ScheduleAt: Decodable, Sendable {
        var at: Date?
    }

    struct NewSegment: Decodable, Sendable {
        var name: String
        var expression: String
    }

    struct NewRecipient: Decodable, Sendable, SpellsItsOwnKeys {
        var email: String
        var name: String?
        var firstName: String?
        var birthdate: String?
        var products: [String]?
        var consents: [String]?
        var source: String?
        /// Personal fields by their names in `recipients.attributes`.
        var attributes: [String: String]?

        private enum CodingKeys: String, CodingKey {
            case email, name, firstName = "first_name", birthdate, products, consents, source, attributes
        }
    }

    struct RecipientWritten: Encodable {
        var id: Int64
        var created: Bool
        var consentChanges: Int
    }

    struct Address: Decodable, Sendable {
        var email: String
    }

    struct Retried: Encodable {
        var campaign: CampaignReport
        var queued: Int
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("api/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        let api = router.group("api").add(middleware: AdminAuthentication(credential: credential))
        api.get("campaigns") { _, _ in await run { app, _ in APIJSON.answer(try app.campaigns.list()) } }
        api.post("campaigns") { request, _ in
            await run(decoding: request, as: NewCampaign.self) { app, actor, new in
                let words: CampaignWords?
                switch (new.subject, new.body) {
                case (let subject?, let body?):
                    words = CampaignWords(subject: subject, preheader: new.preheader ?? "", body: body, format: try Self.format(new.format))
                case (nil, nil):
                    guard new.template != nil else { return APIJSON.error(.unprocessableContent, "give a template, or the campaign's own subject and body") }
                    words = nil
                default:
                    return APIJSON.error(.unprocessableContent, "a campaign's own words need both subject and body")
                }
                let report = try app.campaigns.create(CampaignDraft(kind: try CampaignKind.parse(new.kind), template: new.template, words: words,
                                                                    segment: try app.campaigns.segment(new.segment), at: new.at, name: new.name,
                                                                    draft: new.draft ?? false), catalog: try app.catalog())
                try app.staff.audit(actor: actor, "campaign.create", "campaign \(report.id) (\(report.name)), \(report.status)")
                return APIJSON.answer(report, status: .created)
            }
        }
        api.patch("campaigns/:id") { request, context in
            await run(id: context, decoding: request, as: CampaignEdit.self) { app, actor, id, edit in
                var changes = CampaignChanges(name: edit.name, template: edit.template, subject: edit.subject, preheader: edit.preheader,
                                              body: edit.body, format: try edit.format.map { (text) throws(HeraldError) in try Self.format(text) },
                                              at: edit.at)
                if let segment = edit.segment { changes.segment = .some(try app.campaigns.segment(segment)) }
                let report = try app.campaigns.edit(id: id, changes, catalog: try app.catalog())
                try app.staff.audit(actor: actor, "campaign.edit", "campaign \(id) (\(report.name))")
                return APIJSON.answer(report)
            }
        }
        api.post("campaigns/:id/schedule") { request, context in
            await run(id: context, decoding: request, as: ScheduleAt.self) { app, actor, id, schedule in
                let report = try app.campaigns.schedule(id: id, at: schedule.at, catalog: try app.catalog())
                try app.staff.audit(actor: actor, "campaign.schedule", "campaign \(id) (\(report.name)), due \(report.dueAt)")
                return APIJSON.answer(report)
            }
        }
        api.post("campaigns/:id/duplicate") { _, context in
            await run(id: context) { app, actor, id in
                let report = try app.campaigns.duplicate(id: id)
                try app.staff.audit(actor: actor, "campaign.duplicate", "campaign \(id) copied as draft \(report.id)")
                return APIJSON.answer(report, status: .created)
            }
        }
        api.get("segments") { _, _ in await run { app, _ in APIJSON.answer(try app.campaigns.savedSegments().map(SegmentAnswer.init)) } }
        api.post("segments") { request, _ in
            await run(decoding: request, as: NewSegment.self) { app, actor, new in
                let saved = try app.campaigns.saveSegment(name: new.name, expression: new.expression)
                try app.staff.audit(actor: actor, "segment.save", "segment \(saved.segment.name) = \(saved.segment.expression)")
                return APIJSON.answer(SegmentAnswer(saved), status: .created)
            }
        }
        api.delete("segments/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            return await run { app, actor in
                try app.campaigns.removeSegment(name: name)
                try app.staff.audit(actor: actor, "segment.remove", "segment \(name)")
                return APIJSON.answer(["removed": true])
            }
        }
        api.get("campaigns/:id") { _, context in await run(id: context) { app, _, id in APIJSON.answer(try app.campaigns.report(id: id)) } }
        api.get("campaigns/:id/problems") { _, context in
            await run(id: context) { app, actor, id in
                let problems = try app.campaigns.problems(id: id)
                try app.staff.audit(actor: actor, "campaign.problems.view", "campaign \(id): \(problems.count) recipients shown")
                return APIJSON.answer(problems)
            }
        }
        api.post("campaigns/:id/cancel") { _, context in
            await run(id: context) { app, actor, id in
                let report = try app.campaigns.cancel(id: id)
                try app.staff.audit(actor: actor, "campaign.cancel", "campaign \(id) (\(report.name))")
                return APIJSON.answer(report)
            }
        }
        api.post("campaigns/:id/retry") { _, context in
            await run(id: context) { app, actor, id in
                let (report, queued) = try app.campaigns.retry(id: id)
                try app.staff.audit(actor: actor, "campaign.retry", "campaign \(id) (\(report.name)): \(queued) queued again")
                return APIJSON.answer(Retried(campaign: report, queued: queued))
            }
        }
        api.post("recipients") { request, _ in
            await run(decoding: request, as: NewRecipient.self) { app, actor, new in
                let source = new.source ?? "api"
                guard !Self.personsOwnSources.contains(source.lowercased().trimmingCharacters(in: .whitespaces)) else {
                    return APIJSON.error(.badRequest, "source '\(source)' stands for a person's own act (\(Self.personsOwnSources.sorted().joined(separator: ", "))); an operator's write cannot claim it")
                }
                var purposes: [Purpose] = []
                for consent in new.consents ?? [] { purposes.append(try Purpose.parse(consent)) }
                let fields = new.attributes ?? [:]
                if let unknown = fields.keys.sorted().first(where: { !app.configuration.attributes.contains($0) || $0 == "first_name" }) {
                    return APIJSON.error(.unprocessableContent, unknown == "first_name"
                        ? "first_name is a field of its own (first_name), not an attribute"
                        : "attributes.\(unknown) is not a personal field Herald keeps (recipients.attributes: \(app.configuration.attributes.joined(separator: ", ")))")
                }
                let written = try app.consent.register(Registration(
                    email: new.email, name: new.name, birthdate: new.birthdate, products: new.products ?? [],
                    consents: purposes, source: source, firstName: new.firstName, attributes: fields))
                try app.staff.audit(actor: actor, written.created ? "recipient.add" : "recipient.update",
                                    "\(try Self.subject(app, new.email)), \(written.consentChanges) consent changes, source \(source)")
                return APIJSON.answer(RecipientWritten(id: written.recipient.id ?? 0, created: written.created, consentChanges: written.consentChanges),
                                      status: written.created ? .created : .ok)
            }
        }
        api.post("recipients/export") { request, _ in
            await run(decoding: request, as: Address.self) { app, actor, address in
                let export = try app.personData.export(email: address.email)
                try app.staff.audit(actor: actor, "person.export", try Self.subject(app, address.email))
                return APIJSON.answer(export)
            }
        }
        api.post("recipients/erase") { request, _ in
            await run(decoding: request, as: Address.self) { app, actor, address in
                let subject = try Self.subject(app, address.email)
                try app.personData.erase(email: address.email)
                try app.staff.audit(actor: actor, "person.erase", subject)
                return APIJSON.answer(["erased": true])
            }
        }
        api.get("report") { request, _ in
            let text = request.uri.queryParameters.get("min_cell")
            guard let minimum = text.map({ Int($0) }) ?? 10, minimum >= 1 else {
                return APIJSON.error(.unprocessableContent, "min_cell must be a whole number of at least 1")
            }
            return await run { app, _ in APIJSON.answer(try app.report(minimumCell: minimum)) }
        }
    }

    /// Ledger sources that stand for a person's own act: their confirmed registration (`form`), a one-click
    /// unsubscribe, the preferences page, a policy choice, a confirmation. An operator's write through the API
    /// claiming one would make the ledger say the person did it.
    static let personsOwnSources: Set<String> = [
        DoubleOptIn.source, RecipientLinks.oneClickSource, RecipientLinks.preferencesSource, PolicyPublication.ledgerSource,
        PolicyService.choiceSource, "confirmation",
    ]

    /// How the audit log names a person: the keyed hash's first 12 hex digits, never the address.
    static func subject(_ app: HeraldApp, _ email: String) throws(HeraldError) -> String {
        "person " + (try app.consent.addressHash(email)).prefix(6).map { String(format: "%02x", $0) }.joined() + "…"
    }

    static func format(_ text: String?) throws(HeraldError) -> BodyFormat {
        guard let text else { return .markdown }
        guard let format = BodyFormat(rawValue: text) else { throw HeraldError(.usage, "format '\(text)': expected markdown or html") }
        return format
    }

    /// A saved segment as the API lists it: sizes by kind, null under the report's floor (with `fewer_than`).
    struct SegmentAnswer: Encodable {
        var name: String
        var expression: String
        var savedAt: Date
        var sizes: [String: Int?]
        var fewerThan = ConsoleReportRoutes.minimumCell

        init(_ size: SegmentSize) {
            name = size.segment.name
            expression = size.segment.expression
            savedAt = size.segment.savedAt
            sizes = Dictionary(uniqueKeysWithValues: size.sizes.map { ($0.key.rawValue, $0.value < ConsoleReportRoutes.minimumCell ? nil : $0.value) })
        }
    }

    /// Runs the call on the blocking pool with the caller's audit name; any failure becomes its JSON error.
    private func run(_ work: @escaping @Sendable (HeraldApp, String) throws -> Response) async -> Response {
        let actor = AdminCaller.actor  // task-local: read here, before the work leaves for another thread
        do { return try await blocking { [app] in try work(app, actor) } } catch { return APIJSON.failure(error) }
    }

    private func run(id context: BasicRequestContext, _ work: @escaping @Sendable (HeraldApp, String, Int64) throws -> Response) async -> Response {
        guard let id = Self.campaignID(context) else { return Self.noCampaign(context) }
        return await run { app, actor in try work(app, actor, id) }
    }

    private func run<Body: Decodable & Sendable>(id context: BasicRequestContext, decoding request: Request, as type: Body.Type,
                                                  _ work: @escaping @Sendable (HeraldApp, String, Int64, Body) throws -> Response) async -> Response {
        guard let id = Self.campaignID(context) else { return Self.noCampaign(context) }
        return await run(decoding: request, as: type) { app, actor, body in try work(app, actor, id, body) }
    }

    /// The `{id}` of a campaign route: a whole number above 0, or no campaign at all (404).
    private static func campaignID(_ context: BasicRequestContext) -> Int64? {
        context.parameters.get("id").flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    private static func noCampaign(_ context: BasicRequestContext) -> Response {
        APIJSON.error(.notFound, "no campaign with id \(context.parameters.get("id") ?? "")")
    }

    private func run<Body: Decodable & Sendable>(decoding request: Request, as type: Body.Type,
                                                  _ work: @escaping @Sendable (HeraldApp, String, Body) throws -> Response) async -> Response {
        let body: Body
        do { body = try await APIJSON.body(request, as: Body.self) } catch { return APIJSON.failure(error) }
        return await run { app, actor in try work(app, actor, body) }
    }
}
