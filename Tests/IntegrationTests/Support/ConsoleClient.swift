import Foundation
import Testing

/// One staff member signed in to a running `herald serve`: their session cookie on every request, as a
/// browser would send it, and the CSRF value of the forms their pages carry.
struct ConsoleClient {
    let web: WebServer
    let cookie: String

    /// Signs in through the sign-in form (its own CSRF value first).
    init(_ web: WebServer, _ email: String, password: String = ConsoleTests.password) throws {
        self.web = web
        cookie = try #require(ConsoleTests.cookie(try ConsoleTests.signIn(web, email, password)), "\(email) signed in")
    }

    func get(_ path: String) throws -> WebServer.Answer {
        try web.request("GET", path, headers: ["-H", "Cookie: \(cookie)"])
    }

    /// A urlencoded form (already encoded), as the console's pages post it.
    func post(_ path: String, _ body: String) throws -> WebServer.Answer {
        try web.request("POST", path, headers: ["-H", "Cookie: \(cookie)", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body])
    }

    /// The CSRF value of this session's forms, read from its dashboard.
    func csrf() throws -> String {
        try #require(ConsoleTests.csrf(try get("/console").body))
    }
}
