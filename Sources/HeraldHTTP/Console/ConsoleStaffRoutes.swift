import Foundation
import Herald
import Hummingbird
import Store

/// `/console/staff` (admins only): the accounts, a form that adds one (`herald staff add`'s rules: a password of
/// at least twelve characters, stored as a scrypt hash), and removal, which ends the account's sessions at once.
/// An administrator cannot remove their own account here, so the console always keeps one who can sign in.
/// Every change is audited.
struct ConsoleStaffRoutes: Sendable {
    let app: HeraldApp
    let pages: Pages
    let console: ConsoleRoutes

    func add(to router: Router<BasicRequestContext>) {
        router.get("console/staff") { request, _ in
            await console.signedIn(request, role: .admin) { account, token in try page(account, token: token) }
        }
        router.post("console/staff/add") { request, _ in
            await console.signedInForm(request, role: .admin) { account, token, form in
                let email = form.first("email") ?? ""
                guard let role = StaffRole(rawValue: form.first("role") ?? "") else {
                    return try page(account, token: token, problem: "Choose a role: marketing or admin.", email: email, status: .badRequest)
                }
                do {
                    let added = try app.staff.add(email: email, role: role, password: form.first("password") ?? "")
                    try app.staff.audit(account, "staff.add", "\(added.email) as \(added.role.rawValue)")
                    return try page(account, token: token, notice: "\(added.email) can now sign in as \(added.role.rawValue).")
                } catch let error as HeraldError where error.kind == .dataError || error.kind == .usage {
                    return try page(account, token: token, problem: Pages.sentence(error.message) + ". Nothing was changed.", email: email, status: .badRequest)
                }
            }
        }
        router.post("console/staff/remove") { request, _ in
            await console.signedInForm(request, role: .admin) { account, token, form in
                let email = form.first("email") ?? ""
                try app.staff.remove(email: email, by: account)
                try app.staff.audit(account, "staff.remove", email)
                return try page(account, token: token, notice: "\(email) can no longer sign in; their sessions have ended.")
            }
        }
    }

    private func page(_ account: StaffAccount, token: String, notice: String? = nil, problem: String? = nil, email: String = "",
                      status: HTTPResponse.Status = .ok) throws -> Response {
        var values = console.common(account, token: token)
        values["accounts"] = try app.staff.accounts().map { other -> [String: Any] in
            ["email": other.email, "role": other.role.rawValue, "since": ConsoleRoutes.timestamp(other.createdAt), "self": other.email == account.email]
        }
        values["email"] = email
        values["minimum"] = String(StaffService.minimumPasswordLength)
        values["roles"] = [StaffRole.marketing, .admin].map { ["value": $0.rawValue] }
        if let notice { values["notice"] = notice }
        if let problem { values["problem"] = problem }
        return pages.page("console-staff", title: "Staff", status: status, values)
    }
}
