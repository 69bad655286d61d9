import Foundation
import Testing

/// Bad input to every command: one `herald: error:` line on standard error, the contract's exit code, and
/// nothing half-written.
@Suite(.serialized)
struct CommandErrorTests {
    let sandbox: Sandbox

    init() throws {
        sandbox = try Sandbox()
        try sandbox.writeConfiguration()
    }

    func expectError(_ result: Sandbox.Result, status: Int32, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("herald: error: "), sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "'\(text)' not in: \(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func anUnknownCommandIsNamedWithTheNearestSuggested() throws {
        defer { sandbox.remove() }
        expectError(try sandbox.herald(["frobnicate"], withConfig: false), status: 64, containing: "unknown command 'frobnicate'")
        let typo = try sandbox.herald(["campain", "list"], withConfig: false)
        expectError(typo, status: 64, containing: "unknown command 'campain'; did you mean 'campaign'?")
    }

    @Test func theConfigOptionMayStandBeforeTheCommand() throws {
        defer { sandbox.remove() }
        let before = try sandbox.herald(["--config", sandbox.configPath, "init"], withConfig: false)
        #expect(before.status == 0 && before.stdout.contains("is ready"), "\(before.stderr)")
        let joined = try sandbox.herald(["--config=\(sandbox.configPath)", "campaign", "list"], withConfig: false)
        #expect(joined.status == 0 && joined.stdout.contains("no campaigns"), "\(joined.stderr)")
        let badList = try sandbox.herald(["--config", sandbox.configPath, "init"], withConfig: false,
                                         environment: ["HERALD_SENDER_LIST_ID": "news"])
        expectError(badList, status: 78, containing: "sender.list_id")
        let badLevel = try sandbox.herald(["init"], environment: ["HERALD_LOG_LEVEL": "loud"])
        let shortToken = try sandbox.herald(["init"], environment: ["HERALD_HTTP_ADMIN_TOKEN": "short"])
        expectError(shortToken, status: 78, containing: "http.admin_token) must be at least 24 characters long")
        #expect(!shortToken.stderr.contains("short"), "the token itself is never printed")
        expectError(badLevel, status: 78, containing: "HERALD_LOG_LEVEL (log.level) must be one of trace, debug, info, notice, warning, error, critical, not 'loud'")
    }

    @Test func missingConfigurationFile() throws {
        defer { sandbox.remove() }
        let result = try sandbox.herald(["init", "--config", sandbox.folder.appendingPathComponent("nope.yaml").path], withConfig: false)
        expectError(result, status: 78, containing: "nope.yaml: configuration file not found")
    }

    @Test func unknownKeyIsNamedWithItsLine() throws {
        defer { sandbox.remove() }
        var text = try String(contentsOfFile: sandbox.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "  starttls: off", with: "  starttls: off\n  pasword: hunter2")
        try text.write(toFile: sandbox.configPath, atomically: true, encoding: .utf8)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("pasword") }! + 1
        let result = try sandbox.herald(["init"])
        expectError(result, status: 78, containing: "herald.yaml:\(line): unknown key 'smtp.pasword'")
        #expect(!result.stderr.contains("hunter2"))
    }

    @Test func badValuesNameTheKeyAndWhereItCameFrom() throws {
        defer { sandbox.remove() }
        expectError(try sandbox.herald(["init"], environment: ["HERALD_RETRY_BACKOFF": "soon"]), status: 78,
                    containing: "HERALD_RETRY_BACKOFF (retry.backoff) must be a duration")
        expectError(try sandbox.herald(["init"], environment: ["HERALD_SMTP_CONNECTIONS": "0"]), status: 78,
                    containing: "HERALD_SMTP_CONNECTIONS (smtp.connections) must be a whole number from 1 to 64")
        expectError(try sandbox.herald(["init"], environment: ["HERALD_TRANSPORT": "pigeon"]), status: 78,
                    containing: "HERALD_TRANSPORT (transport) must be one of smtp, file")
        let secretLeak = try sandbox.herald(["init"], environment: ["HERALD_SUPPRESSION_KEY": "short-secret"])
        expectError(secretLeak, status: 78, containing: "HERALD_SUPPRESSION_KEY (suppression.key) must be at least 16 characters")
        #expect(!secretLeak.stderr.contains("short-secret"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.databasePath), "no database is created from a bad configuration")
    }

    @Test func misspeltVariablesAndCredentialsInURLsAreRefused() throws {
        defer { sandbox.remove() }
        let misspelt = try sandbox.herald(["init"], environment: ["HERALD_SMTP_PASWORD": "hunter2"])
        expectError(misspelt, status: 78, containing: "HERALD_SMTP_PASWORD: unknown configuration variable")
        #expect(!misspelt.stderr.contains("hunter2"))
        let inURL = try sandbox.herald(["init"], environment: ["HERALD_SMTP_URL": "smtp://user:hunter2@mail.example.com:587"])
        expectError(inURL, status: 78, containing: "HERALD_SMTP_URL (smtp.url) must not contain credentials")
        #expect(!inURL.stderr.contains("hunter2"))
    }

    @Test func parserErrorsAreOneLineToo() throws {
        defer { sandbox.remove() }
        expectError(try sandbox.herald(["recipients", "add"]), status: 64, containing: "Missing expected argument")
        expectError(try sandbox.herald(["campaign", "show", "abc"]), status: 64, containing: "abc")
        expectError(try sandbox.herald(["suppress", "a@example.com", "--reason", "whim"]), status: 64, containing: "unknown reason 'whim'")
        let help = try sandbox.herald(["campaign", "create", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--segment"))
    }

    @Test func unknownPurposeIsBadUsage() throws {
        defer { sandbox.remove() }
        expectError(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "spam"]), status: 64,
                    containing: "unknown purpose 'spam'")
        expectError(try sandbox.herald(["consent", "grant", "ada@example.com", "newsletter"]), status: 64,
                    containing: "unknown purpose 'newsletter'; purposes are product-news, promotions")
    }

    @Test func malformedAddressIsBadData() throws {
        defer { sandbox.remove() }
        for address in ["ada", "ada@", "@example.com", "ada@@example.com", "a b@example.com", "ada@example", "ada@-x.com"] {
            expectError(try sandbox.herald(["recipients", "add", address]), status: 65, containing: "invalid email address")
        }
        expectError(try sandbox.herald(["consent", "grant", "nobody@example.com", "promotions"]), status: 65,
                    containing: "no recipient with that address")
    }

    @Test func childUnder13IsRefusedAndNothingIsStored() throws {
        defer { sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "adult@example.com", "--birthdate", "1980-01-01"]).status == 0)
        let year = Calendar(identifier: .gregorian).component(.year, from: Date()) - 8
        let result = try sandbox.herald(["recipients", "add", "young.child@example.com", "--name", "Tiny Tim",
                                         "--birthdate", "\(year)-06-15", "--consent", "promotions", "--product", "kronos"])
        expectError(result, status: 65, containing: "this registration cannot be accepted")
        #expect(!result.stderr.contains("young.child"))
        for suffix in ["", "-wal", "-shm"] {
            let bytes = FileManager.default.contents(atPath: sandbox.databasePath + suffix) ?? Data()
            #expect(bytes.range(of: Data("young.child".utf8)) == nil, "address found in herald.sqlite\(suffix)")
            #expect(bytes.range(of: Data("Tiny Tim".utf8)) == nil, "name found in herald.sqlite\(suffix)")
        }
        expectError(try sandbox.herald(["recipients", "add", "x@example.com", "--birthdate", "2999-01-01"]), status: 65,
                    containing: "it is in the future")
        expectError(try sandbox.herald(["recipients", "add", "x@example.com", "--birthdate", "1990-02-30"]), status: 65,
                    containing: "no such date")
    }

    @Test func campaignMistakes() throws {
        defer { sandbox.remove() }
        expectError(try sandbox.herald(["campaign", "create", "--kind", "newsletter", "--template", "product-news"]), status: 64,
                    containing: "unknown campaign kind 'newsletter'")
        expectError(try sandbox.herald(["campaign", "create", "--kind", "product-news", "--template", "nope"]), status: 64,
                    containing: "unknown template 'nope'")
        expectError(try sandbox.herald(["campaign", "create", "--kind", "promotion", "--template", "product-news"]), status: 64,
                    containing: "template 'product-news' is of kind product-news, not promotion")
        expectError(try sandbox.herald(["campaign", "create", "--kind", "product-news", "--template", "product-news", "--at", "tomorrow"]),
                    status: 64, containing: "--at 'tomorrow' is not an ISO 8601 time")
        expectError(try sandbox.herald(["campaign", "create", "--kind", "product-news", "--template", "product-news", "--segment", "color:red"]),
                    status: 64, containing: "unknown field 'color'")
        expectError(try sandbox.herald(["campaign", "show", "42"]), status: 65, containing: "no campaign with id 42")
        #expect(try sandbox.herald(["campaign", "list"]).stdout == "no campaigns\n", "a rejected campaign leaves nothing behind")
    }

    @Test func demoRunsOnTheDefaultConfiguration() throws {
        defer { sandbox.remove() }
        let result = try Sandbox.run(Sandbox.heraldBinary, ["demo", "--folder", sandbox.folder.appendingPathComponent("demo").path],
                                     in: Sandbox.packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sent         3"))
        #expect(result.stdout.contains("skipped      1"))
        let messages = try Sandbox.inspectMessages(in: sandbox.folder.appendingPathComponent("demo/mail").path)
        #expect(messages.count == 3)
        #expect(messages.allSatisfy { ($0["defects"] as? [String])?.isEmpty == true })
    }
}
