import Foundation
import Herald
import Hummingbird
import Store

/// `/register` and `/confirm/{token}`: registration with double opt-in. The answer to a registration is the
/// same whether the address was known, is new, is suppressed, belongs to a child under 13 (for whom nothing
/// is stored anywhere), or was past a limit on confirmation mails: the page never reveals the cut-off, and
/// nobody can learn who is registered.
///
/// The form cannot be aimed at a third party from elsewhere: a post from another site's page is refused (its
/// `Origin`, or `Sec-Fetch-Site`), the form carries a proof of work (`RegistrationChallenge`) that scripts pay
/// for, and the store caps the confirmation mails per mailbox, per domain and in all (`register.limits.*`).
struct RegistrationRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let challenge: RegistrationChallenge
    let script: String
    /// The products the store knows, read at most every ten seconds however often the public form is opened.
    private let knownProducts: ThrottledReading<[String]>

    init(app: HeraldApp, pages: Pages, script: String) {
        self.app = app
        self.pages = pages
        self.script = script
        challenge = RegistrationChallenge(secret: app.configuration.http.sessionKey ?? Array(SecretsGenerator.random().utf8),
                                          cost: app.configuration.register.challengeCost)
        knownProducts = ThrottledReading(maximumAge: .seconds(10)) { [app] in
            try? await blocking { try app.consent.productNames() }
        }
    }

    /// The products the form offers: `register.products` when set, else those Herald knows (people registered).
    private func offeredProducts() async -> [String] {
        if let configured = app.configuration.register.products { return configured }
        return await knownProducts.value() ?? []
    }

    /// The public pages' policy, and the form's own script.
    static var policy: String { SecurityHeaders<BasicRequestContext>.policy + "; script-src 'self'" }

    /// `GET /register/challenge`, in ALTCHA's field names.
    struct PuzzleAnswer: Encodable {
        var algorithm = "SHA-256"
        var salt: String
        var challenge: String
        var maxnumber: Int
        var signature: String

        init(_ puzzle: RegistrationChallenge.Puzzle) {
            salt = puzzle.salt
            challenge = puzzle.challenge
            maxnumber = puzzle.maxNumber
            signature = puzzle.signature
        }
    }

    /// A solved puzzle as a form or JSON sends it.
    struct Solution: Decodable, Sendable {
        var salt: String
        var number: String
        var signature: String

        init(salt: String, number: String, signature: String) {
            self.salt = salt
            self.number = number
            self.signature = signature
        }

        /// JSON may give the number as a number (as ALTCHA's widget does) or as a string.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            salt = try container.decode(String.self, forKey: .salt)
            signature = try container.decode(String.self, forKey: .signature)
            if let value = try? container.decode(Int.self, forKey: .number) {
                number = String(value)
            } else {
                number = try container.decode(String.self, forKey: .number)
            }
        }

        private enum CodingKeys: String, CodingKey { case salt, number, signature }
    }

    struct Request: Decodable, Sendable {
        var email: String
        var name: String?
        var birthdate: String?
        var purposes: [String]?
        var products: [String]?
        var challenge: Solution?
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("register") { _, _ in form(offering: await offeredProducts()) }
        router.head("register") { _, _ in form(offering: await offeredProducts()).withoutBody() }
        router.get("register.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: script)))
        }
        // For a registration sent as JSON: the same puzzle the form carries.
        router.get("register/challenge") { _, _ in
            APIJSON.answer(PuzzleAnswer(challenge.issue(now: app.clock())))
        }
        router.post("register") { request, _ in await register(request) }
        router.get("confirm/:token") { _, context in await confirmation(context) }
        router.head("confirm/:token") { _, context in await confirmation(context).withoutBody() }
        router.post("confirm/:token") { _, context in await confirm(context) }
    }

    /// The form; refused, with its problem and everything that was typed and ticked, so nothing is typed twice.
    /// (It shows what was posted to this one answer, which is never cached and never stored; the age is not
    /// looked at before every other check has passed, so whatever a refused form gives back says nothing of it.)
    private func form(offering products: [String], problem: String? = nil, status: HTTPResponse.Status = .ok,
                      typed: Request? = nil) -> Response {
        let purposes = Set(typed?.purposes ?? []), chosen = Set(typed?.products ?? [])
        var values: [String: Any] = [
            "purposes": Purpose.allCases.map { ["name": $0.rawValue, "label": Pages.sentence($0.phrase), "checked": purposes.contains($0.rawValue)] },
            "products": products.map { ["name": $0, "checked": chosen.contains($0)] }, "has_products": !products.isEmpty,
            "email": typed?.email ?? "", "name": typed?.name ?? "", "birthdate": typed?.birthdate ?? "",
        ]
        if let problem { values["problem"] = problem }  // (an empty string would still show the box)
        let puzzle = challenge.issue(now: app.clock())
        values["challenge"] = ["salt": puzzle.salt, "challenge": puzzle.challenge, "max": String(puzzle.maxNumber), "signature": puzzle.signature]
        var response = pages.page("register", title: "Stay in touch", status: status, values)
        response.headers[.contentSecurityPolicy] = Self.policy
        return response
    }

    private func register(_ request: Hummingbird.Request) async -> Response {
        let json = request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true
        // Another site's page must not be able to make a visitor's browser register someone (CSRF): the
        // browser says where the post comes from.
        guard ConsoleSession.sameOrigin(request, publicURL: app.configuration.publicURL) else {
            let message = "This form can be sent only from its own page."
            return json ? APIJSON.error(.forbidden, message)
                : pages.page("message", title: "Not sent", status: .forbidden, ["message": message + " Nothing was stored."])
        }
        let submitted: Request
        do {
            if json {
                submitted = try await APIJSON.body(request, as: Request.self)
            } else {
                let form = try await FormBody.read(request)
                let solution = form.first("challenge_salt").map { salt in
                    Solution(salt: salt, number: form.first("challenge_number") ?? "", signature: form.first("challenge_signature") ?? "")
                }
                submitted = Request(email: form.first("email") ?? "", name: form.first("name"), birthdate: form.first("birthdate"),
                                    purposes: form.all("purposes"), products: form.all("products").filter { !$0.isEmpty }, challenge: solution)
            }
        } catch {
            return json ? APIJSON.failure(error) : pages.formProblem(error)
        }
        // The form offers its products and takes no others, so a stranger cannot put a product name of their own
        // on the form; JSON may name any product unless `register.products` lists them.
        let offered = await offeredProducts()
        let restricted = !json || app.configuration.register.products != nil
        // A wrong, stale or reused solution counts as none: the registration is still taken, under the smaller cap.
        let challenged = submitted.challenge.map {
            challenge.accepts(salt: $0.salt, number: $0.number, signature: $0.signature, now: app.clock())
        } ?? false
        do {
            try await blocking { [app] in
                guard let birthdate = submitted.birthdate, !birthdate.isEmpty else {
                    throw HeraldError(.dataError, "please give your date of birth")
                }
                var purposes: [Purpose] = []
                for name in submitted.purposes ?? [] { purposes.append(try Purpose.parse(name)) }
                if restricted, let product = submitted.products?.first(where: { !offered.contains((try? RegistrationRules.product($0)) ?? $0) }) {
                    throw HeraldError(.dataError, offered.isEmpty ? "products cannot be registered here"
                                      : "'\(product)' is not one of the products offered here (\(offered.joined(separator: ", ")))")
                }
                let registration = Registration(email: submitted.email, name: submitted.name?.isEmpty == true ? nil : submitted.name,
                                                birthdate: birthdate, products: submitted.products ?? [], consents: purposes, source: DoubleOptIn.source)
                do { _ = try app.doubleOptIn.request(registration, challenged: challenged) } catch let error as HeraldError where error.kind == .underMinimumAge {
                    return  // refused before anything was written; the answer below is the same
                }
            }
        } catch let error as HeraldError where error.kind == .dataError || error.kind == .usage {
            return json ? APIJSON.error(.badRequest, error.message)
                : form(offering: offered, problem: error.message, status: .badRequest, typed: submitted)
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
            let purposes: [Purpose]
            do { purposes = try app.doubleOptIn.pending(token: token) } catch { return try confirmedAlready(token, else: error) }
            return pages.page("confirm", title: "Confirm your registration", [
                "token": token, "purposes": purposes.map { ["label": $0.phrase] }, "notice": try notice(purposes),
            ])
        }
    }

    private func confirm(_ context: BasicRequestContext) async -> Response {
        let token = context.parameters.get("token") ?? ""
        return await pages.answer { [app, pages] in
            let purposes: [Purpose]
            do { purposes = try app.doubleOptIn.confirm(token: token, notice: notice) } catch { return try confirmedAlready(token, else: error) }
            return pages.page("message", title: "Thank you", [
                "message": "Your registration is confirmed: you will receive " + purposes.map(\.phrase).joined(separator: " and ") + ".",
            ])
        }
    }

    /// A valid link whose request no longer waits because it was confirmed: it says so (200) and changes
    /// nothing; any other failure (a bad, expired or unknown link) is answered as before.
    private func confirmedAlready(_ token: String, else failure: any Error) throws -> Response {
        guard (failure as? HeraldError)?.kind == .notFound, let confirmedAt = try? app.doubleOptIn.confirmedAt(token: token) else {
            throw failure
        }
        return pages.page("message", title: "Already confirmed", [
            "message": "This registration was confirmed already, on \(MessageData.longDate(confirmedAt)). There is nothing more to do: "
                + "to change what we send you, follow the preferences link at the end of any of our mails.",
        ])
    }

    /// What the confirmation page says the person agrees to; the ledger keeps its hash with each consent.
    private func notice(_ purposes: [Purpose]) throws(HeraldError) -> String {
        ConsentNotice.confirmation(company: app.companyName, purposes: purposes, policy: try app.policy.current())
    }
}
