import Foundation
import Testing

/// The registration form cannot be aimed at a third party from elsewhere: another site's page cannot post it
/// (CSRF), and the form's proof of work is verified by the server, once per solution; a form sent without one
/// (no JavaScript) is still taken, under its own smaller cap.
@Suite(.serialized)
struct RegistrationGuardTests {
    static let person = "email=ada%40example.com&birthdate=1990-04-01&purposes=product-news"

    /// Mails the worker wrote, by recipient.
    static func mailed(_ sandbox: Sandbox) throws -> [String] {
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        return try Sandbox.inspectMessages(in: sandbox.mailFolder).compactMap { $0["to_address"] as? String }.sorted()
    }

    /// Solves a puzzle as the form's script does, with an independent SHA-256 (Python's hashlib).
    static func solve(salt: String, challenge: String, max: String) throws -> String {
        try Sandbox.run("/usr/bin/env", ["python3", "-c", """
            import hashlib, sys
            salt, target, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
            print(next(n for n in range(top + 1) if hashlib.sha256((salt + str(n)).encode()).hexdigest() == target))
            """, salt, challenge, max]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func postsFromAnotherSiteAreRefused() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        let url = "http://127.0.0.1:\(server.port)/register"
        func post(_ headers: [String], json: Bool = false) throws -> Int {
            let body = json ? ["-H", "Content-Type: application/json", "--data-binary", #"{"email":"ada@example.com","birthdate":"1990-04-01","purposes":["product-news"]}"#]
                : ["-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", Self.person]
            let result = try Sandbox.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"]
                                         + headers.flatMap { ["-H", $0] } + body + [url])
            return Int(result.stdout) ?? 0
        }
        #expect(try post(["Origin: https://evil.example"]) == 403)
        #expect(try post(["Origin: https://evil.example"], json: true) == 403)
        #expect(try post(["Origin: null", "Sec-Fetch-Site: cross-site"]) == 403)
        #expect(try Self.mailed(sandbox).isEmpty, "a refused post stores and sends nothing")
        #expect(try post(["Origin: http://127.0.0.1:\(server.port)", "Sec-Fetch-Site: same-origin"]) == 200)
        #expect(try Self.mailed(sandbox) == ["ada@example.com"])
    }

    @Test func theProofOfWorkIsVerifiedAndCountsOnce() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: "register:\n  limits:\n    without_challenge: 0\n  challenge_cost: 2000\n")
        defer { server.stop(); sandbox.remove() }
        // Without a solution (a browser without JavaScript): the same answer, but this cap is 0, so no mail.
        let plain = try server.post("/register", form: Self.person)
        #expect(plain.status == 200 && plain.body.contains("Check your inbox"))
        #expect(try Self.mailed(sandbox).isEmpty)

        let page = try server.get("/register")
        #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        func field(_ pattern: String) throws -> String {
            let range = try #require(page.body.range(of: pattern))
            return String(page.body[range.upperBound...].prefix { $0 != "\"" })
        }
        let salt = try field("name=\"challenge_salt\" value=\""), signature = try field("name=\"challenge_signature\" value=\"")
        let challenge = try field("data-challenge=\""), max = try field("data-max=\"")
        #expect(max == "2000")
        let number = try Self.solve(salt: salt, challenge: challenge, max: max)
        let proof = "&challenge_salt=\(salt)&challenge_signature=\(signature)&challenge_number="
        // A wrong number, or a right one under another signature, counts as no solution.
        let wrong = String((Int(number)! + 1) % 2001)
        #expect(try server.post("/register", form: "email=wrong%40example.com&birthdate=1990-04-01&purposes=product-news" + proof + wrong).status == 200)
        let forged = String(repeating: "0", count: 64)
        #expect(try server.post("/register", form: "email=forged%40example.com&birthdate=1990-04-01&purposes=product-news&challenge_salt=\(salt)&challenge_signature=\(forged)&challenge_number=\(number)").status == 200)
        #expect(try Self.mailed(sandbox).isEmpty)

        #expect(try server.post("/register", form: "email=grace%40example.org&birthdate=1990-04-01&purposes=product-news" + proof + number).status == 200)
        // The same solution again is used up.
        #expect(try server.post("/register", form: "email=linus%40example.com&birthdate=1990-04-01&purposes=product-news" + proof + number).status == 200)
        #expect(try Self.mailed(sandbox) == ["grace@example.org"])

        // JSON clients fetch the same puzzle from /register/challenge.
        let puzzle = try server.get("/register/challenge")
        #expect(puzzle.status == 200, "\(puzzle.body)")
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(puzzle.body.utf8)) as? [String: Any])
        let jsonSalt = try #require(fields["salt"] as? String), jsonSignature = try #require(fields["signature"] as? String)
        let jsonNumber = try Self.solve(salt: jsonSalt, challenge: try #require(fields["challenge"] as? String),
                                        max: String(try #require(fields["maxnumber"] as? Int)))
        let body = """
            {"email": "alan@example.net", "birthdate": "1990-04-01", "purposes": ["product-news"],
             "challenge": {"salt": "\(jsonSalt)", "number": \(jsonNumber), "signature": "\(jsonSignature)"}}
            """
        #expect(try server.request("POST", "/register", body: body).status == 202)
        #expect(try Self.mailed(sandbox) == ["alan@example.net", "grace@example.org"])
    }
}
