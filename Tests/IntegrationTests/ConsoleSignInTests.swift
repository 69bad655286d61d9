import Foundation
import TestDatabases
import Testing

/// Console sign-in on the open internet (Step 10): wrong passwords throttle the client that sent them, never the
/// account; failures store nothing an attacker can grow; the password queue is bounded; staff change their own
/// password; and sign-ins, failures and sign-outs are in the audit log.
@Suite(.serialized)
struct ConsoleSignInTests {
    static let admin = "ada@staff.example"
    /// The sandbox's reverse proxy: the tests' curl, on loopback.
    static let behindProxy = "  trusted_proxies: 127.0.0.1\n"

    /// Signs in through the form as a client whose address the proxy gives as `client` (nil: no header).
    static func signIn(_ web: WebServer, _ email: String, _ password: String, from client: String?) throws -> WebServer.Answer {
        let value = try #require(ConsoleTests.csrf(try web.get("/console/sign-in").body))
        let body = "csrf=\(value)&email=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            + "&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        return try web.request("POST", "/console/sign-in", headers: (client.map { ["-H", "X-Forwarded-For: \($0)"] } ?? [])
                                   + ["-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body])
    }

    static func addAdmin(_ sandbox: Sandbox) throws {
        let added = try sandbox.herald(["staff", "add", admin, "--role", "admin"], input: ConsoleTests.password + "\n")
        #expect(added.status == 0, "\(added.stderr)")
    }

    @Test(arguments: TestBackend.allCases) func anAttackerCannotLockAStaffMemberOut(_ backend: TestBackend) throws {
        let sandbox = try Sandbox(backend)
        defer { sandbox.remove() }
        let web = try WebServer(sandbox, extra: Self.behindProxy)
        defer { web.stop() }
        try Self.addAdmin(sandbox)

        for _ in 0..<5 { #expect(try Self.signIn(web, Self.admin, "guess guess guess", from: "203.0.113.7").status == 401) }
        let locked = try Self.signIn(web, Self.admin, ConsoleTests.password, from: "203.0.113.7")
        let wait = Int(locked.headers["retry-after"] ?? "") ?? 0
        #expect(locked.status == 429 && (850...900).contains(wait), "\(locked.status) \(wait)")
        #expect(locked.headers["set-cookie"] == nil, "the right password from the throttled client signs nobody in")
        // The attacker's own claim of another address is left of the proxy's hop, and not believed.
        #expect(try Self.signIn(web, Self.admin, "guess guess guess", from: "198.51.100.20, 203.0.113.7").status == 429)
        #expect(try Self.signIn(web, "nobody@staff.example", "guess guess guess", from: "203.0.113.7").status == 429, "throttled whatever address it tries")

        // The administrator, from another client, signs in as usual, and can read what happened.
        let signedIn = try Self.signIn(web, Self.admin, ConsoleTests.password, from: "198.51.100.20")
        #expect(signedIn.status == 303, "\(signedIn.status)")
        let cookie = try #require(ConsoleTests.cookie(signedIn))
        #expect(try Self.signIn(web, "nobody@staff.example", "guess guess guess", from: "198.51.100.21").status == 401)
        let page = try web.request("GET", "/console/audit", headers: ["-H", "Cookie: \(cookie)"]).body
        #expect(page.components(separatedBy: "sign-in.failed").count - 1 == 6, "five for the account, one for an unknown one; throttled ones write nothing")
        #expect(page.contains("unknown account") && !page.contains("nobody@staff.example"), "never the address an attacker typed")
        #expect(!page.contains("203.0.113.7") && !page.contains("198.51.100"), "no client address is stored")

        let out = try web.request("POST", "/console/sign-out", headers: ["-H", "Cookie: \(cookie)", "-H", "Content-Type: application/x-www-form-urlencoded",
                                                                       "--data-binary", "csrf=\(try #require(ConsoleTests.csrf(page)))"])
        #expect(out.status == 303)
        let again = try #require(ConsoleTests.cookie(try Self.signIn(web, Self.admin, ConsoleTests.password, from: "198.51.100.20")))
        let log = try web.request("GET", "/console/audit", headers: ["-H", "Cookie: \(again)"]).body
        #expect(log.contains("sign-out") && log.components(separatedBy: "<td>sign-in</td>").count - 1 == 2, "two sign-ins and a sign-out")
    }

    /// Without `http.trusted_proxies`, `X-Forwarded-For` is anyone's to write: the peer is the client.
    @Test func forwardedForFromAnUntrustedPeerIsIgnored() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox)
        defer { web.stop() }
        try Self.addAdmin(sandbox)
        for n in 0..<5 { #expect(try Self.signIn(web, Self.admin, "guess guess guess", from: "10.0.0.\(n)").status == 401) }
        #expect(try Self.signIn(web, Self.admin, ConsoleTests.password, from: "10.0.0.99").status == 429)
        #expect(try Self.signIn(web, Self.admin, ConsoleTests.password, from: nil).status == 429)
    }

    /// 200 failed sign-ins, each with an address of 12 KB, from many clients: the database grows by the audit
    /// log's fixed-size lines at most, and holds nothing of what was typed.
    @Test func failedSignInsDoNotGrowTheDatabase() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox, extra: Self.behindProxy)
        try Self.addAdmin(sandbox)
        func size() throws -> Int {
            // Checkpointed first, so what counts is the database, not how far the write-ahead log got.
            _ = try Sandbox.run("/usr/bin/env", ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('pragma wal_checkpoint(TRUNCATE)'); c.close()",
                                                 sandbox.databasePath])
            return ["", "-wal"].reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: sandbox.databasePath + $1)[.size] as? Int) ?? 0) }
        }
        let before = try size()
        let marker = "attacker-marker-"
        let value = try #require(ConsoleTests.csrf(try web.get("/console/sign-in").body))
        var statuses: [Int: Int] = [:]
        for n in 0..<200 {
            let email = marker + String(n) + String(repeating: "a", count: 12 * 1024) + "@example.com"
            let body = "csrf=\(value)&email=\(email)&password=guess"
            let answer = try web.request("POST", "/console/sign-in", headers: ["-H", "X-Forwarded-For: 192.0.2.\(n % 50)",
                                                                               "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body])
            statuses[answer.status, default: 0] += 1
        }
        #expect(statuses == [401: 200], "\(statuses)")
        web.stop()
        let grown = try size() - before
        #expect(grown < 128 * 1024, "grew by \(grown) bytes")
        #expect(!sandbox.databaseFiles().contains(Data(marker.utf8)))
    }

    /// Past the password queue's bound, sign-in answers 503 with `Retry-After` at once; afterwards all is well.
    @Test func aFloodOfSignInsIsRefusedWithServiceUnavailable() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox, extra: Self.behindProxy)
        defer { web.stop() }
        try Self.addAdmin(sandbox)
        let value = try #require(ConsoleTests.csrf(try web.get("/console/sign-in").body))
        // One curl, 60 transfers at once, each from a client of its own (so no throttle stops them first).
        var arguments = ["curl", "-s", "-Z", "--parallel-max", "60", "--parallel-immediate"]
        for n in 0..<60 {
            if n > 0 { arguments.append("--next") }
            arguments += ["-o", "/dev/null", "-w", "%{http_code} %header{retry-after}\\n", "-X", "POST", "-H", "X-Forwarded-For: 198.51.100.\(n)",
                          "-H", "Content-Type: application/x-www-form-urlencoded",
                          "--data-binary", "csrf=\(value)&email=ada%40staff.example&password=guess+guess+guess", "http://127.0.0.1:\(web.port)/console/sign-in"]
        }
        let result = try Sandbox.run("/usr/bin/env", arguments)
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.count == 60, "\(result.stdout) \(result.stderr)")
        let busy = lines.filter { $0.first == "503" }
        #expect(!busy.isEmpty && busy.allSatisfy { $0.count == 2 && Int($0[1]) != nil }, "\(lines)")
        #expect(lines.allSatisfy { $0.first == "503" || $0.first == "401" }, "\(lines)")
        #expect(lines.filter { $0.first == "401" }.count >= 18, "the queue's worth was checked")
        #expect(try Self.signIn(web, Self.admin, ConsoleTests.password, from: "192.0.2.1").status == 303)
    }

    @Test func staffChangeTheirOwnPasswordAndOtherSessionsEnd() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox)
        defer { web.stop() }
        try Self.addAdmin(sandbox)
        #expect(try sandbox.herald(["staff", "add", "max@staff.example", "--role", "marketing"], input: ConsoleTests.password + "\n").status == 0)
        let here = try ConsoleClient(web, Self.admin), elsewhere = try ConsoleClient(web, Self.admin), max = try ConsoleClient(web, "max@staff.example")
        let form = try here.get("/console/password")
        #expect(form.status == 200 && form.body.contains("Current password") && form.body.contains("minlength=\"12\""))
        let csrf = try #require(ConsoleTests.csrf(form.body))
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        let old = encoded(ConsoleTests.password), new = encoded("a brand new passphrase")

        #expect(try here.post("/console/password", "current=\(old)&password=\(new)&again=\(new)").status == 403, "no CSRF value")
        #expect(try here.post("/console/password", "csrf=\(try max.csrf())&current=\(old)&password=\(new)&again=\(new)").status == 403, "another session's")
        let wrong = try here.post("/console/password", "csrf=\(csrf)&current=\(encoded("not my password"))&password=\(new)&again=\(new)")
        #expect(wrong.status == 403 && wrong.body.contains("current password is wrong"))
        let short = try here.post("/console/password", "csrf=\(csrf)&current=\(old)&password=short&again=short")
        #expect(short.status == 400 && short.body.contains("at least 12 characters"), "the rule of herald staff add")
        #expect(try here.post("/console/password", "csrf=\(csrf)&current=\(old)&password=\(new)&again=\(new)x").status == 400)
        #expect(try elsewhere.get("/console").status == 200, "nothing changed yet")

        let changed = try here.post("/console/password", "csrf=\(csrf)&current=\(old)&password=\(new)&again=\(new)")
        #expect(changed.status == 200 && changed.body.contains("Your password is changed"), "\(changed.status)")
        #expect(!changed.body.contains("a brand new passphrase"))
        #expect(try here.get("/console").status == 200, "this session stays")
        #expect(try elsewhere.get("/console").status == 303, "the other session ended")
        #expect(try max.get("/console").status == 200, "another account's session is untouched")
        #expect(try ConsoleTests.signIn(web, Self.admin, ConsoleTests.password).status == 401)
        #expect(try ConsoleTests.signIn(web, Self.admin, "a brand new passphrase").status == 303)
        let audit = try here.get("/console/audit").body
        #expect(audit.contains("password.change") && audit.contains("password.change.failed"))
    }

    /// A session ends when unused for `console.session_idle`, and `console.session_lifetime` after its sign-in
    /// however much it is used: then the console asks to sign in again, and the old cookie opens nothing.
    @Test func sessionsEndWhenIdleAndAtTheirLifetime() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let web = try WebServer(sandbox, extra: "console:\n  session_idle: 2s\n  session_lifetime: 4s\n")
        defer { web.stop() }
        try Self.addAdmin(sandbox)
        func opens(_ cookie: String) throws -> Bool {
            try web.request("GET", "/console", headers: ["-H", "Cookie: \(cookie)"]).status == 200
        }
        // Left alone for longer than the idle time.
        let idle = try #require(ConsoleTests.cookie(try Self.signIn(web, Self.admin, ConsoleTests.password, from: nil)))
        #expect(try opens(idle))
        Thread.sleep(forTimeInterval: 3)
        #expect(try !opens(idle), "idle for 3 s of 2")
        // Used every second: it outlives the idle time, not the lifetime.
        let busy = try #require(ConsoleTests.cookie(try Self.signIn(web, Self.admin, ConsoleTests.password, from: nil)))
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 1)
            #expect(try opens(busy), "used within its idle time")
        }
        Thread.sleep(forTimeInterval: 1.6)
        #expect(try !opens(busy), "past its lifetime, however used")
    }
}
