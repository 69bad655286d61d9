import Foundation
import Herald
import Hummingbird
import Store

/// `/api/*`: the admin API over `HeraldApp`'s services, described by `OpenAPIDocument` (served at
/// `/api/openapi.yaml`). Campaigns: create, list, show, cancel, retry, problems. Recipients: add, export, erase
/// one person, by an address in the body (never in a URL, never a list). The aggregate report.
struct AdminAPIRoutes: Sendable {
    let app: HeraldApp
    let credential: AdminCredential

    struct NewCampaign: Decodable, Sendable {
        var kind: String
        var template: String
        var segment: String?
        var at: Date?
        var name: String?
    }

    struct NewRecipient: Decodable, Sendable {
        var email: String
        var name: String?
        var birthdate: String?
        var products: [String]?
        var consents: [String]?
        var source: String?
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
        api.get("campaigns") { _, _ in await run { app in APIJSON.answer(try app.campaigns.list()) } }
        api.post("campaigns") { request, _ in
            await run(decoding: request, as: NewCampaign.self) { app, new in
                let segment = try new.segment.map { (text) throws(HeraldError) in try Segment.parse(text) }
                let report = try app.campaigns.create(kind: try CampaignKind.parse(new.kind), template: new.template, catalog: try app.catalog(),
                                                      segment: segment, at: new.at, name: new.name)
                return APIJSON.answer(report, status: .created)
            }
        }
        api.get("campaigns/:id") { _, context in await run(id: context) { app, id in APIJSON.answer(try app.campaigns.report(id: id)) } }
        api.get("campaigns/:id/problems") { _, context in await run(id: context) { app, id in APIJSON.answer(try app.campaigns.problems(id: id)) } }
        api.post("campaigns/:id/cancel") { _, context in await run(id: context) { app, id in APIJSON.answer(try app.campaigns.cancel(id: id)) } }
        api.post("campaigns/:id/retry") { _, context in
            await run(id: context) { app, id in
                let (report, queued) = try app.campaigns.retry(id: id)
                return APIJSON.answer(Retried(campaign: report, queued: queued))
            }
        }
        api.post("recipients") { request, _ in
            await run(decoding: request, as: NewRecipient.self) { app, new in
                var purposes: [Purpose] = []
                for consent in new.consents ?? [] { purposes.append(try Purpose.parse(consent)) }
                let written = try app.consent.register(Registration(
                    email: new.email, name: new.name, birthdate: new.birthdate, products: new.products ?? [],
                    consents: purposes, source: new.source ?? "api"))
                return APIJSON.answer(RecipientWritten(id: written.recipient.id ?? 0, created: written.created, consentChanges: written.consentChanges),
                                      status: written.created ? .created : .ok)
            }
        }
        api.post("recipients/export") { request, _ in
            await run(decoding: request, as: Address.self) { app, address in APIJSON.answer(try app.personData.export(email: address.email)) }
        }
        api.post("recipients/erase") { request, _ in
            await run(decoding: request, as: Address.self) { app, address in
                try app.personData.erase(email: address.email)
                return APIJSON.answer(["erased": true])
            }
        }
        api.get("report") { request, _ in
            let text = request.uri.queryParameters.get("min_cell")
            guard let minimum = text.map({ Int($0) }) ?? 10, minimum >= 1 else {
                return APIJSON.error(.unprocessableContent, "min_cell must be a whole number of at least 1")
            }
            return await run { app in APIJSON.answer(try app.report(minimumCell: minimum)) }
        }
    }

    /// Runs the call on the blocking pool; any failure becomes its JSON error.
    private func run(_ work: @escaping @Sendable (HeraldApp) throws -> Response) async -> Response {
        do { return try await blocking { [app] in try work(app) } } catch { return APIJSON.failure(error) }
    }

    private func run(id context: BasicRequestContext, _ work: @escaping @Sendable (HeraldApp, Int64) throws -> Response) async -> Response {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            return APIJSON.error(.notFound, "no campaign with id \(context.parameters.get("id") ?? "")")
        }
        return await run { app in try work(app, id) }
    }

    private func run<Body: Decodable & Sendable>(decoding request: Request, as type: Body.Type,
                                                  _ work: @escaping @Sendable (HeraldApp, Body) throws -> Response) async -> Response {
        let body: Body
        do { body = try await APIJSON.body(request, as: Body.self) } catch { return APIJSON.failure(error) }
        return await run { app in try work(app, body) }
    }
}
