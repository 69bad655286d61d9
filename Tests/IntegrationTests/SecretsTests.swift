import Foundation
import Testing

/// No forgeable defaults: `serve` and `worker` start only with secrets of the operator's own (32 bytes or
/// more, one per job, none of the examples Herald ships), and `herald secrets generate` makes them.
@Suite(.serialized)
struct SecretsTests {
    let sandbox: Sandbox

    init() throws {
        sandbox = try Sandbox()
        try sandbox.writeConfiguration()
        #expect(try sandbox.herald(["init"]).status == 0)
    }

    /// The shipped configuration's values, as an attacker who read config/herald.yaml knows them.
    static let shippedTokenKey = "dev1:development-only-token-secret-change-me"
    static let shippedSuppressionKey = "development-only-suppression-key-change-me"

    func expectRefusal(_ arguments: [String], _ environment: [String: String], naming key: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try sandbox.herald(arguments, environment: environment)
        #expect(result.status == 78, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("herald: error: ") && lines[0].contains(key), "\(result.stderr)", sourceLocation: sourceLocation)
        for value in environment.values where value.count > 8 {
            let secret = value.split(separator: ":").last.map(String.init) ?? value
            #expect(!result.stderr.contains(secret), "a secret is never printed", sourceLocation: sourceLocation)
        }
    }

    @Test func serveAndWorkerRefuseTheShippedExamples() throws {
        defer { sandbox.remove() }
        for command in [["serve"], ["worker", "--until-idle"]] {
            try expectRefusal(command, ["HERALD_TOKENS_KEYS": Self.shippedTokenKey], naming: "HERALD_TOKENS_KEYS (tokens.keys) is an example value")
            try expectRefusal(command, ["HERALD_SUPPRESSION_KEY": Self.shippedSuppressionKey], naming: "HERALD_SUPPRESSION_KEY (suppression.key) is an example value")
        }
        try expectRefusal(["serve"], ["HERALD_HTTP_SESSION_KEY": "development-only-session-key-change-me"], naming: "http.session_key")
        // The repository's own configuration file, as a fresh checkout has it.
        let shipped = Sandbox.packageRoot.appendingPathComponent("config/herald.yaml").path
        for command in [["serve"], ["worker", "--until-idle"]] {
            let result = try sandbox.herald(command + ["--config", shipped], withConfig: false, environment: ["HERALD_HTTP_SESSION_KEY": ""])
            #expect(result.status == 78 && result.stderr.contains("herald.yaml:") && result.stderr.contains("tokens.keys is an example value"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.folder.appendingPathComponent("var").path), "a refused start creates nothing")
        // Other commands still run with the examples, so a fresh checkout can be tried.
        let url = try sandbox.herald(["unsubscribe-url", "ada@example.com"], environment: ["HERALD_TOKENS_KEYS": Self.shippedTokenKey])
        #expect(url.status != 78, "\(url.stderr)")
    }

    @Test func shortWeakOrSharedSecretsAreRefused() throws {
        defer { sandbox.remove() }
        try expectRefusal(["worker", "--until-idle"], ["HERALD_TOKENS_KEYS": "k1:only-twenty-eight-bytes-long"], naming: "shorter than 32")
        try expectRefusal(["worker", "--until-idle"], ["HERALD_SUPPRESSION_KEY": String(repeating: "ab", count: 20)], naming: "not random")
        try expectRefusal(["serve"], ["HERALD_HTTP_SESSION_KEY": Sandbox.suppressionKey], naming: "http.session_key) is the same secret as suppression.key")
        try expectRefusal(["serve"], ["HERALD_TOKENS_KEYS": "k1:" + Sandbox.sessionKey], naming: "is the same secret as tokens.keys")
        try expectRefusal(["serve"], ["HERALD_HTTP_METRICS_TOKEN": "metrics-token-shorter-than-32"], naming: "HERALD_HTTP_METRICS_TOKEN (http.metrics_token) is 29 bytes long")
        try expectRefusal(["serve"], ["HERALD_HTTP_SESSION_KEY": ""], naming: "http.session_key is required")
    }

    @Test func generatedSecretsAreFreshPrivateAndAccepted() throws {
        defer { sandbox.remove() }
        let file = sandbox.folder.appendingPathComponent("secrets.env").path
        // Under the usual umask the file is still the owner's alone.
        let made = try Sandbox.run("/bin/sh", ["-c", "umask 022; exec \"$0\" secrets generate --output \"$1\"", Sandbox.heraldBinary, file])
        #expect(made.status == 0, "\(made.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try sandbox.herald(["secrets", "generate", "--output", file], withConfig: false)
        #expect(again.status == 64 && again.stderr.contains("never overwritten"), "\(again.stderr)")

        var environment: [String: String] = [:]
        for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            environment[parts[0]] = parts[1]
        }
        #expect(Set(environment.keys) == ["HERALD_TOKENS_KEYS", "HERALD_SUPPRESSION_KEY", "HERALD_HTTP_SESSION_KEY",
                                          "HERALD_HTTP_ADMIN_TOKEN", "HERALD_HTTP_METRICS_TOKEN", "HERALD_BOUNCE_KEY"])
        #expect(Set(environment.values).count == environment.count, "one secret per job")
        let second = try sandbox.herald(["secrets", "generate"], withConfig: false)
        #expect(second.status == 0 && !environment.values.contains { second.stdout.contains($0.split(separator: ":").last!) }, "fresh each time")

        let worker = try sandbox.herald(["worker", "--until-idle"], environment: environment)
        #expect(worker.status == 0, "\(worker.stderr)")
        let log = worker.stdout + worker.stderr
        #expect(!environment.values.contains { log.contains($0.split(separator: ":").last!) }, "no secret in the output")
    }

    /// The attack the refusal closes: links minted with the shipped example secret (under the running server's
    /// own key id) are not Herald's, and change nothing.
    @Test func linksMintedWithTheExampleSecretAreRefused() throws {
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "product-news"]).status == 0)
        let forger = ["HERALD_TOKENS_KEYS": "t1:development-only-token-secret-change-me"]
        let rendered = try sandbox.herald(["render", "--template", "product-news", "--to", "ada@example.com"], environment: forger)
        let text = rendered.stdout.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
        let start = try #require(text.range(of: "/preferences/"), "\(rendered.stderr)")
        let forged = "/preferences/" + text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        #expect(try server.get(forged).status == 400)
        #expect(try server.post(forged, form: "purpose=promotions&action=save").status != 200)
        let unsubscribe = try sandbox.herald(["unsubscribe-url", "ada@example.com"], environment: forger).stdout
        let path = try #require(unsubscribe.range(of: "/u/")).lowerBound
        #expect(try server.post(String(unsubscribe[path...]).trimmingCharacters(in: .whitespacesAndNewlines), form: "List-Unsubscribe=One-Click").status == 400)
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com") == ["product-news grant admin"])
    }
}
