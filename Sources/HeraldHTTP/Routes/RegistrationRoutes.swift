import Foundation
import Herald
import Hummingbird
import Store

/// `/register` and `/confirm/{token}`: registration with double opt-in. The answer to a registration is the
/// same whether the address was known, is new, is suppressed, or belongs to a child under 13 (for whom nothing
/// is stored anywhere): the page never reveals the cut-off, and nobody can learn who is registered.
struct RegistrationRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages

    struct Request: Decodable, Sendable {
        var email: String
        var name: String?
        var birthdate: String?
        var purposes: [String]?
        var products: [String]?
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("register") { _, _ in form() }
        router.head("register") { _, _ in form().withoutBody() }
        router.post("register") { request, _ in await register(request) }
        router.get("confirm/:token") { _, context in await confirmation(context) }
        router.head("confirm/:token") { _, context in await confirmation(context).withoutBody() }
        router.post("confirm/:token") { _, context in await confirm(context) }
    }

    private func form(problem: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = ["purposes": Purpose.allCases.map { ["name": $0.rawValue, "label": Pages.sentence($0.phrase)] }]
        if let problem { values["problem"] = problem }  // (an empty string would still show the box)
        return pages.page("register", title: "Stay in touch", status: status, values)
    }

    private func register(_ request: Hummingbird.Request) async -> Response {
        let json = request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true
        let submitted: Request
        do {
            if json {
                submitted = try await APIJSON.body(request, as: Request.self)
            } else {
                let form = try await FormBody.read(request)
                submitted = Request(email: form.first("email") ?? "", name: form.first("name"), birthdate: form.first("birthdate"),
                                    purposes: form.all("purposes"), products: form.all("products").filter { !$0.isEmpty })
            }
        } catch {
            return json ? APIJSON.failure(error) : pages.formProblem(error)
        }
        do {
            try await blocking { [app] in
                guard let birthdate = submitted.birthdate, !birthdate.isEmpty else {
                    throw HeraldError(.dataError, "please give your date of birth")
                }
                var purposes: [Purpose] = []
                for name in submitted.purposes ?? [] { purposes.append(try Purpose.parse(name)) }
                let registration = Registration(email: submitted.email, name: submitted.name?.isEmpty == true ? nil : submitted.name,
                                                birthdate: birthdate, products: submitted.products ?? [], consents: purposes, source: DoubleOptIn.source)
                do { _ = try app.doubleOptIn.request(registration) } catch let error as HeraldError where error.kind == .underMinimumAge {
                    return  // refused before anything was written; the answer below is the same
                }
            }
        } catch let error as HeraldError where error.kind == .dataError || error.kind == .usage {
            return json ? APIJSON.error(.badRequest, error.message) : form(problem: error.message, status: .badRequest)
        } catch {
            return json ? APIJSON.failure(error) : pages.failure(error)
        }
        if json { return APIJSON.answer(["status": "received"], status: .accepted) }
        return pages.page("message", title: "Check your inbox", [
            "message": "Thank you. If this registration can be accepted, a mail is on its way to the address you gave: follow its link within 7 days to confirm. Until then we send you nothing else.",
        ])
    }

    private func confirmation(_ context: BasicRequestContext) async -> Response {
        let token = context.parameters.get("token") ?? ""
        return await pages.answer { [app, pages] in
            let purposes = try app.doubleOptIn.pending(token: token)
            return pages.page("confirm", title: "Confirm your registration", [
                "token": token, "purposes": purposes.map { ["label": $0.phrase] }, "notice": try notice(purposes),
            ])
        }
    }

    private func confirm(_ context: BasicRequestContext) async -> Response {
        let token = context.parameters.get("token") ?? ""
        return await pages.answer { [app, pages] in
            let purposes = try app.doubleOptIn.confirm(token: token, notice: notice)
            return pages.page("message", title: "Thank you", [
                "message": "Your registration is confirmed: you will receive " + purposes.map(\.phrase).joined(separator: " and ") + ".",
            ])
        }
    }

    /// What the confirmation page says the person agrees to; the ledger keeps its hash with each consent.
    private func notice(_ purposes: [Purpose]) throws(HeraldError) -> String {
        ConsentNotice.confirmation(company: app.companyName, purposes: purposes, policy: try app.policy.current())
    }
}
