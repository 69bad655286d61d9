import Foundation
import Store
import Testing
@testable import Herald

/// The bytes on the wire, byte for byte (see Tests/Golden/README.md): each `messages/NAME.in` composed with a
/// fixed clock, keys, Message-ID and boundary must give `messages/NAME.eml`.
@Suite struct GoldenMessageTests {
    static let golden = TestApp.root.appendingPathComponent("Tests/Golden")
    static let cases: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: golden.appendingPathComponent("messages").path)) ?? []
        return names.filter { $0.hasSuffix(".in") }.map { String($0.dropLast(3)) }.sorted()
    }()
    /// 2026-12-01T09:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_796_115_600)

    @Test func everyCaseHasItsReference() {
        #expect(Self.cases.count >= 4, "unsigned, RSA, Ed25519 and non-ASCII cases")
        for name in Self.cases {
            #expect(FileManager.default.fileExists(atPath: Self.golden.appendingPathComponent("messages/\(name).eml").path), "\(name).eml")
        }
    }

    @Test(arguments: cases) func composedMessageMatchesItsReference(_ name: String) throws {
        let input = try Self.readInput(name)
        let app = try Self.app(for: input)
        let fixed = MessageComposer.Identifiers(messageID: { "golden.\(name)@\($0)" }, boundary: { "=_herald_golden" })
        let composer = app.composer(catalog: try app.catalog(), identifiers: fixed)
        var composed = MessageComposer.Input(
            kind: try CampaignKind.parse(input["kind"] ?? ""), template: input["template"] ?? "", campaignName: "Golden",
            recipientID: 42, email: input["email"] ?? "", name: input["name"],
            products: (input["products"] ?? "").split(separator: ";").map(String.init), policy: try Self.policy(input))
        try Self.addWords(input, to: &composed)
        let message = try composer.compose(composed, now: Self.now)
        let reference = Self.golden.appendingPathComponent("messages/\(name).eml")
        if ProcessInfo.processInfo.environment["HERALD_UPDATE_GOLDEN"] == "1" {
            try Data(message.bytes).write(to: reference)
        }
        let expected = try [UInt8](Data(contentsOf: reference))
        #expect(message.bytes == expected, "\(name): \(Self.firstDifference(message.bytes, expected))")
    }

    /// The references are checked by other hands than Herald's: Python's email parser and dkimpy.
    @Test func referencesParseAndVerifyIndependently() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestApp.root.appendingPathComponent("Tests/Support/verify_golden.py").path, Self.golden.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let results = try JSONSerialization.jsonObject(with: data) as? [String: String] ?? [:]
        #expect(results.count == Self.cases.count, "\(String(decoding: data, as: UTF8.self))")
        for (name, verdict) in results { #expect(verdict == "ok", "\(name): \(verdict)") }
    }

    /// A policy notice's version: `policy_version`, `policy_summary` (`\n` for a line break), `policy_material`,
    /// `policy_adds` (a purpose), effective a month after the fixed clock.
    static func policy(_ input: [String: String]) throws -> PolicyVersion? {
        guard let version = input["policy_version"] else { return nil }
        let summary = (input["policy_summary"] ?? "").replacingOccurrences(of: "\\n", with: "\n")
        return PolicyVersion(version: version, summary: summary, textHash: ConsentNotice.hash(summary), material: input["policy_material"] == "true",
                             effectiveAt: now.addingTimeInterval(31 * 86_400), publishedAt: now,
                             addsPurpose: try input["policy_adds"].map { (text) throws(HeraldError) in try Purpose.parse(text) })
    }

    /// A campaign's own words: `subject`, `preheader`, `body` (a file beside the `.in`), `format`; the person's
    /// `first_name` and `attributes` (`name=value;name=value`); `campaign_id` (named in the unsubscribe link).
    static func addWords(_ input: [String: String], to composed: inout MessageComposer.Input) throws {
        if let subject = input["subject"], let file = input["body"] {
            let body = try String(contentsOf: golden.appendingPathComponent("messages/\(file)"), encoding: .utf8)
            composed.words = CampaignWords(subject: subject, preheader: input["preheader"] ?? "", body: body,
                                           format: BodyFormat(rawValue: input["format"] ?? "markdown") ?? .markdown)
        }
        composed.firstName = input["first_name"]
        for pair in (input["attributes"] ?? "").split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { composed.attributes[parts[0]] = parts[1] }
        }
        composed.campaignID = input["campaign_id"].flatMap { Int64($0) }
    }

    /// `key: value` lines.
    static func readInput(_ name: String) throws -> [String: String] {
        let text = try String(contentsOf: golden.appendingPathComponent("messages/\(name).in"), encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            values[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return values
    }

    static func app(for input: [String: String]) throws -> HeraldApp {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var yaml = """
            database: \(folder.appendingPathComponent("herald.sqlite").path)
            templates: \(TestApp.root.appendingPathComponent("Templates").path)
            public_url: https://mail.example.com
            sender:
              from: "\(input["from"] ?? "News <news@example.com>")"
              postal_address: "1 Sample Street, 12345 Example City"

            """
        if let listID = input["list_id"] { yaml += "  list_id: \"\(listID)\"\n" }
        yaml += """
            tokens:
              keys:
                - id: g1
                  secret: golden-token-secret-0123456789
            suppression:
              key: golden-suppression-key-0123456789

            """
        let fields = (input["attributes"] ?? "").split(separator: ";").map { String($0.split(separator: "=")[0]) }
        yaml += "recipients:\n  attributes: [\(fields.joined(separator: ", "))]\n"
        switch input["dkim"] ?? "none" {
        case "rsa-sha256":
            yaml += "dkim:\n  selector: golden\n  algorithm: rsa-sha256\n  key_file: \(golden.appendingPathComponent("keys/rsa-2048.pem").path)\n"
        case "ed25519-sha256":
            yaml += "dkim:\n  selector: golden\n  algorithm: ed25519-sha256\n  key_file: \(golden.appendingPathComponent("keys/ed25519.pem").path)\n"
        default: break
        }
        let path = folder.appendingPathComponent("herald.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try HeraldApp(configuration: ConfigurationLoader.load(path: path, environment: [:]), clock: { now })
    }

    /// The first line that differs, both ways, for a readable failure.
    static func firstDifference(_ actual: [UInt8], _ expected: [UInt8]) -> String {
        let a = String(decoding: actual, as: UTF8.self).components(separatedBy: "\r\n")
        let e = String(decoding: expected, as: UTF8.self).components(separatedBy: "\r\n")
        for index in 0..<max(a.count, e.count) where (index < a.count ? a[index] : nil) != (index < e.count ? e[index] : nil) {
            return "line \(index + 1): got \(index < a.count ? a[index] : "(end)"), expected \(index < e.count ? e[index] : "(end)")"
        }
        return "same lines"
    }
}
