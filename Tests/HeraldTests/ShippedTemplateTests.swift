import Foundation
import Herald
import Store
import Testing

/// Every shipped template, composed for awkward people, parsed by another hand than Herald's (Python's email
/// package): the parts decode to what the person's data says, the HTML escapes it and the text does not, no
/// line is too long for SMTP, and nothing is malformed.
@Suite struct ShippedTemplateTests {
    struct Person: CustomStringConvertible, Sendable {
        var label: String
        var name: String?
        var products: [String]
        var description: String { label }
    }

    static let people = [
        Person(label: "non-ASCII name", name: "Zoë Ünal-Øster 李小龍", products: ["volca"]),
        Person(label: "no name, no products", name: nil, products: []),
        Person(label: "many products", name: "Ada Lovelace", products: (1...30).map { "synth-\($0)" }),
        Person(label: "very long name", name: String(repeating: "Maximiliana", count: 25) + " von Lang", products: ["minilogue", "kronos"]),
        Person(label: "markup in the name", name: "Bob <b>&amp; \"Co\"", products: ["<script>x</script>"]),
    ]

    static let policy = PolicyVersion(version: "2027-02", summary: "Wir möchten Ihnen auch Einladungen senden.\n\nSonst ändert sich nichts.",
                                      textHash: "", material: true, effectiveAt: Date(timeIntervalSince1970: 1_801_000_000),
                                      publishedAt: Date(), addsPurpose: .promotions)

    @Test(arguments: ["product-news", "promotion", "policy-change", "confirmation"])
    func everyShippedTemplateRendersForAwkwardPeople(_ template: String) throws {
        let app = try TestApp.make()
        let composer = app.composer(catalog: try app.catalog())
        let kind = try #require(CampaignKind(rawValue: template))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shipped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, person) in Self.people.enumerated() {
            let message = try composer.compose(.init(kind: kind, template: template, campaignName: "Spring news", recipientID: Int64(index + 1),
                                                     email: "person\(index)@example.com", name: person.name, products: person.products,
                                                     confirmPurposes: kind == .confirmation ? [.productNews, .promotions] : [],
                                                     policy: kind == .policyChange ? Self.policy : nil), now: Date())
            try Data(message.bytes).write(to: folder.appendingPathComponent(String(format: "%02d.eml", index)))
        }
        let script = TestApp.root.appendingPathComponent("Tests/Support/inspect_messages.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, folder.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let messages = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(messages.count == Self.people.count)
        for (person, message) in zip(Self.people, messages.sorted { ($0["file"] as? String ?? "") < ($1["file"] as? String ?? "") }) {
            let parts = message["parts"] as? [[String: Any]] ?? []
            let text = parts.first { $0["type"] as? String == "text/plain" }?["content"] as? String ?? ""
            let html = parts.first { $0["type"] as? String == "text/html" }?["content"] as? String ?? ""
            #expect((message["defects"] as? [Any])?.isEmpty == true, "\(person): \(message["defects"] ?? "")")
            #expect(message["bare_lf"] as? Bool == false, "\(person)")
            #expect((message["longest_line"] as? Int ?? 999) <= 998, "\(person)")
            #expect(!(message["subject"] as? String ?? "\n").contains("\n"), "\(person)")
            #expect(!text.isEmpty && html.hasPrefix("<!DOCTYPE html>"), "\(person)")
            let first = person.name?.split(separator: " ").first.map(String.init)
            // The confirmation greets nobody by name: anyone can type any address into the form.
            if let first, kind != .confirmation {
                #expect(text.contains("Hello \(first),"), "\(person): \(text)")
                #expect(html.contains("Hello \(Self.escaped(first)),"), "\(person)")
            } else {
                #expect(text.contains("Hello,"), "\(person): \(text)")
            }
            if person.label == "markup in the name", kind != .confirmation {
                #expect(!html.contains("<b>&amp;") && !html.contains("<script>"), "\(person): HTML must escape the data")
            }
            if kind == .productNews {
                for product in person.products {
                    #expect(text.contains("* \(product)"), "\(person): \(product)")
                    #expect(html.contains("<li>\(Self.escaped(product))</li>"), "\(person): \(product)")
                }
                if person.products.isEmpty { #expect(text.contains("news about our products"), "\(person)") }
            }
            if kind == .promotion { #expect(text.hasPrefix("ADVERTISEMENT") && html.contains("ADVERTISEMENT"), "\(person)") }
            if kind == .policyChange {
                #expect(text.contains("Wir möchten Ihnen auch Einladungen senden.") && html.contains("<p style=\"margin:0 0 8px;\">Sonst ändert sich nichts.</p>"))
                #expect(text.contains("https://mail.example.com/policy/") && message["list_unsubscribe"] is NSNull, "\(person)")
            } else if kind != .confirmation {
                #expect((message["list_unsubscribe"] as? String)?.contains("https://mail.example.com/u/") == true, "\(person)")
                #expect(text.contains("1 Sample Street") && html.contains("1 Sample Street"), "\(person)")
            }
        }
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
