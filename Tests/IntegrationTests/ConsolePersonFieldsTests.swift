import Foundation
import Testing

/// The admin's one-person page shows what Step 11 stores about a person: a first name given on its own and the
/// company's personal fields, escaped like every value; marketing still sees no one.
@Suite(.serialized)
struct ConsolePersonFieldsTests {
    @Test func theOnePersonPageShowsFirstNameAndPersonalFields() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox, extra: "recipients:\n  attributes: [first_name, country, upgrade_code]\n")
        defer { web.stop() }
        #expect(try sandbox.herald(["recipients", "add", "ivan@example.com", "--name", "Petrov, Ivan", "--attribute", "country=<DE>",
                                    "--attribute", "upgrade_code=UP-1", "--consent", "promotions"]).status == 0)
        let unknown = try sandbox.herald(["recipients", "add", "ivan@example.com", "--attribute", "shoe_size=44"])
        #expect(unknown.status == 64 && unknown.stderr.contains("shoe_size"), "\(unknown.stderr)")
        #expect(try sandbox.herald(["staff", "add", "ada@staff.example", "--role", "admin"], input: ConsoleTests.password + "\n").status == 0)
        let admin = try #require(ConsoleTests.cookie(try ConsoleTests.signIn(web, "ada@staff.example", ConsoleTests.password)))
        let people = try web.request("GET", "/console/people", headers: ["-H", "Cookie: \(admin)"])
        let csrf = try #require(ConsoleTests.csrf(people.body))
        let found = try web.request("POST", "/console/people/lookup", headers: ["-H", "Cookie: \(admin)", "-H", "Content-Type: application/x-www-form-urlencoded",
                                                                             "--data-binary", "csrf=\(csrf)&email=ivan%40example.com"])
        #expect(found.status == 200 && found.body.contains("<dt>country</dt><dd>&lt;DE&gt;</dd>") && found.body.contains("<dt>upgrade_code</dt><dd>UP-1</dd>"),
                "\(found.body)")
        #expect(found.body.contains("<dt>First name</dt><dd>(taken from the name)</dd>"))
    }
}
