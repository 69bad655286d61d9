import Foundation
import Herald
import Hummingbird
import Store

/// `/console/people` (admins only): one person, looked up by their exact address, for an access or erasure
/// request. There is no list and no search: a request names one address and gets one record. The export is
/// the same JSON as `herald recipients export`; an erasure is `herald recipients erase`, audited without the
/// address (the audit log keeps the keyed hash's first characters).
struct ConsolePeopleRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let console: ConsoleRoutes

    func add(to router: Router<BasicRequestContext>) {
        router.get("console/people") { request, _ in
            await console.signedIn(request, role: .admin) { account, token in page(account, token: token) }
        }
        router.post("console/people/lookup") { request, _ in
            await console.signedInForm(request, role: .admin) { account, token, form in try lookup(account, token: token, email: form.first("email") ?? "") }
        }
        router.post("console/people/export") { request, _ in
            await console.signedInForm(request, role: .admin) { account, _, form in
                let email = form.first("email") ?? ""
                let export = try app.personData.export(email: email)
                try app.staff.audit(account, "person.export", try subject(email))
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                let body = (try? encoder.encode(export)) ?? Data()
                return Response(status: .ok, headers: [.contentType: "application/json", .contentDisposition: "attachment; filename=\"person.json\""],
                                body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
        }
        router.post("console/people/erase") { request, _ in
            await console.signedInForm(request, role: .admin) { account, token, form in
                let email = form.first("email") ?? ""
                guard form.first("confirm") == "yes" else {
                    throw HeraldError(.usage, "tick the box that confirms the erasure")
                }
                let hash = try subject(email)
                try app.personData.erase(email: email)
                try app.staff.audit(account, "person.erase", hash)
                var values = console.common(account, token: token)
                values["message"] = "Erased. Only a keyed hash of the address stays, so it is never mailed again."
                return pages.page("console-message", title: "Erased", values)
            }
        }
    }

    /// How the audit log names a person: the keyed hash's first 12 hex digits, never the address.
    private func subject(_ email: String) throws(HeraldError) -> String {
        "person " + (try app.consent.addressHash(email)).prefix(6).map { String(format: "%02x", $0) }.joined() + "…"
    }

    private func page(_ account: StaffAccount, token: String, record: PersonExport? = nil, email: String = "") -> Response {
        var values = console.common(account, token: token)
        values["email"] = email
        if let record {
            var person: [String: Any] = ["products": record.products.joined(separator: ", "), "consents": record.consents.map {
                ["purpose": $0.purpose.rawValue, "granted": $0.granted ? "granted" : "revoked"] }, "ledger": record.consentLedger.count,
                "messages": record.messages.count]
            if let recipient = record.recipient {
                person["stored"] = true
                person["name"] = recipient.name ?? "(none)"
                person["first_name"] = recipient.firstName ?? "(taken from the name)"
                person["fields"] = (recipient.attributes ?? [:]).sorted { $0.key < $1.key }.map { ["field": $0.key, "value": $0.value] }
                person["source"] = recipient.source
                person["registered"] = ConsoleRoutes.timestamp(recipient.registeredAt)
            }
            if let suppression = record.suppression { person["suppression"] = suppression.reason.rawValue }
            values["person"] = person
        }
        return pages.page("console-people", title: "One person", values)
    }

    private func lookup(_ account: StaffAccount, token: String, email: String) throws -> Response {
        let record = try app.personData.export(email: email)
        try app.staff.audit(account, "person.view", try subject(email))
        return page(account, token: token, record: record, email: email)
    }
}
