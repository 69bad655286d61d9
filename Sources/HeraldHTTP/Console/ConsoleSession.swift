import Foundation
import Herald
import Hummingbird
import Store

/// The console's cookie: an opaque session token, `HttpOnly`, `SameSite=Strict`, scoped to `/console`,
/// `Secure` when the public URL is https, gone when the session expires.
struct ConsoleSession: Sendable {
    static let cookieName = "herald_console"
    let secure: Bool

    init(publicURL: String) {
        secure = publicURL.lowercased().hasPrefix("https://")
    }

    /// The session token the request carries, if any.
    static func token(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == cookieName, !parts[1].isEmpty { return parts[1] }
            }
        }
        return nil
    }

    func setCookie(_ token: String, maxAge: TimeInterval) -> String {
        "\(Self.cookieName)=\(token); Path=/console; Max-Age=\(Int(maxAge)); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    func clearCookie() -> String {
        "\(Self.cookieName)=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    /// Whether a POST comes from the console's own pages, as far as the browser says (`Origin`, else
    /// `Sec-Fetch-Site`): the sign-in form has no session to bind its CSRF value to, so another site could
    /// otherwise sign a victim's browser into an account of its own. Browsers send `Origin: null` from pages
    /// whose referrer policy is `no-referrer` (every Herald page's), so then `Sec-Fetch-Site` decides. A client
    /// that sends neither (a script) cannot be led by another site, and is let through.
    static func sameOrigin(_ request: Request, publicURL: String) -> Bool {
        if let origin = request.headers[.origin], origin != "null" {
            let host = request.head.authority ?? ""
            let own = URL(string: publicURL).flatMap { url -> String? in
                guard let scheme = url.scheme, let name = url.host else { return nil }
                return "\(scheme)://\(name)" + (url.port.map { ":\($0)" } ?? "")
            }
            return origin == own || origin == "http://" + host || origin == "https://" + host
        }
        if let site = request.headers[.init("Sec-Fetch-Site")!] { return site == "same-origin" || site == "none" }
        return true
    }

    /// The CSRF binding of a signed-in staff member's forms: their session (`FormGuard` signs it).
    static func formBinding(_ token: String) -> String { "console\u{0}" + token }
    /// The sign-in form's: no session yet, so the form is bound to the console itself.
    static let signInBinding = "console-sign-in"
}
