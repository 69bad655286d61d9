import Foundation
import Testing
@testable import Herald

struct ConfigurationLoaderTests {
    static let minimal = """
        sender:
          from: "News <news@example.com>"
          postal_address: "1 Sample Street"
        public_url: https://mail.example.com/
        tokens:
          keys:
            - id: a
              secret: first-secret-0123456789
            - id: b
              secret: second-secret-0123456789
        suppression:
          key: suppression-key-0123456789
        """

    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("herald-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as HeraldError {
            #expect(error.code == .configuration)
            return error.message
        } catch { return "\(error)" }
    }

    @Test func shippedConfigurationLoadsAsItIs() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configuration = try ConfigurationLoader.load(path: root.appendingPathComponent("config/herald.yaml").path, environment: [:])
        #expect(configuration.transport == .file)
        #expect(configuration.database == "var/herald.sqlite")
        #expect(configuration.smtp.connections == 4)
    }

    @Test func defaultsAndKeyList() throws {
        let configuration = try ConfigurationLoader.load(path: try write(Self.minimal), environment: [:])
        #expect(configuration.publicURL == "https://mail.example.com")
        #expect(configuration.tokenKeys.map(\.id) == ["a", "b"])
        #expect(configuration.retry.backoff == .seconds(300))
        #expect(configuration.smtp.settings.heloName == "example.com")
        #expect(configuration.sender.listID.fieldValue == "<news.example.com>")
    }

    @Test func environmentOverridesTheFile() throws {
        let configuration = try ConfigurationLoader.load(path: try write(Self.minimal), environment: [
            "HERALD_TOKENS_KEYS": "new:brand-new-secret-0123456789,a:first-secret-0123456789",
            "HERALD_SMTP_PASSWORD": "s3cret",
            "HERALD_SMTP_URL": "smtps://mail.example.com:465",
            "HERALD_RETRY_BACKOFF": "500ms",
            "HERALD_SENDER_REPLY_TO": "help@example.com",
        ])
        #expect(configuration.tokenKeys.map(\.id) == ["new", "a"])
        #expect(configuration.smtp.settings.password == "s3cret")
        #expect(configuration.smtp.settings.usesImplicitTLS)
        #expect(configuration.retry.backoff == .milliseconds(500))
        #expect(configuration.sender.replyTo?.address.normalized == "help@example.com")
    }

    /// A PostgreSQL URL selects PostgreSQL; the password comes from `HERALD_DATABASE_PASSWORD` (or the URL), and
    /// a wrong URL is named with the key, never echoing a password.
    @Test func aPostgresURLSelectsPostgreSQLAndItsPasswordStaysSecret() throws {
        let configuration = try ConfigurationLoader.load(path: try write(Self.minimal), environment: [
            "HERALD_DATABASE": "postgres://herald@db.example.com:6432/herald?sslmode=require&pool_size=4",
            "HERALD_DATABASE_PASSWORD": "pg-secret"])
        #expect(configuration.postgres?.description == "herald@db.example.com:6432/herald")
        #expect(configuration.postgres?.password == "pg-secret" && configuration.postgres?.poolSize == 4 && configuration.postgres?.sslMode == "require")
        #expect(configuration.journalDirectory == "var/herald.accepted")
        #expect(try ConfigurationLoader.load(path: try write(Self.minimal), environment: [:]).postgres == nil)
        let wrong = message {
            _ = try ConfigurationLoader.load(path: try write(Self.minimal), environment: [
                "HERALD_DATABASE": "postgres://herald:in-url-secret@db.example.com/herald?sslmode=sometimes"])
        }
        #expect(wrong?.hasPrefix("HERALD_DATABASE (database) sslmode=sometimes is not one of") == true, "\(wrong ?? "")")
        #expect(wrong?.contains("in-url-secret") == false)
    }

    @Test func problemsNameTheKeyAndTheLine() throws {
        let typo = try write(Self.minimal + "\nsmtp:\n  url: smtp://x:25\n  conections: 2\n")
        #expect(message { _ = try ConfigurationLoader.load(path: typo, environment: [:]) } == "\(typo):15: unknown key 'smtp.conections'")
        let badURL = try write(Self.minimal.replacingOccurrences(of: "https://mail.example.com/", with: "mail.example.com"))
        #expect(message { _ = try ConfigurationLoader.load(path: badURL, environment: [:]) } ==
                "\(badURL):4: public_url must be an http:// or https:// URL, not 'mail.example.com'")
        let missing = try write("public_url: https://x.example\n")
        #expect(message { _ = try ConfigurationLoader.load(path: missing, environment: [:]) } == "\(missing): sender.from is required")
        let notYAML = try write("sender: [unclosed\n")
        #expect(message { _ = try ConfigurationLoader.load(path: notYAML, environment: [:]) }?.hasPrefix("\(notYAML): line ") == true)
        let badKey = try write(Self.minimal.replacingOccurrences(of: "secret: first-secret-0123456789", with: "secret: short"))
        #expect(message { _ = try ConfigurationLoader.load(path: badKey, environment: [:]) } ==
                "\(badKey):6: tokens.keys the secret of token key 'a' is shorter than 16 bytes")
    }

    @Test func theListIdIsABareIdOrAFullValueAndNothingElse() throws {
        func listID(_ value: String) throws -> String {
            try ConfigurationLoader.load(path: try write(Self.minimal), environment: ["HERALD_SENDER_LIST_ID": value]).sender.listID.fieldValue
        }
        #expect(try listID("news.example.com") == "<news.example.com>")
        #expect(try listID("Example News <news.example.com>") == "Example News <news.example.com>")
        let file = try write(Self.minimal.replacingOccurrences(of: "  postal_address", with: "  list_id: news\n  postal_address"))
        let problem = message { _ = try ConfigurationLoader.load(path: file, environment: [:]) }
        #expect(problem?.hasPrefix("\(file):3: sender.list_id 'news' needs a label and a domain") == true, "\(problem ?? "")")
    }

    @Test func durations() {
        #expect(DurationValue.parse("500ms") == .milliseconds(500))
        #expect(DurationValue.parse("5d") == .seconds(432_000))
        #expect(DurationValue.parse("1.5h") == .seconds(5400))
        for bad in ["", "5", "ms", "-1s", "5 minutes", "1e3s"] { #expect(DurationValue.parse(bad) == nil, "\(bad)") }
    }
}
