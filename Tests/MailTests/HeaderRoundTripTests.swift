import Foundation
import Testing
@testable import Mail

/// Random names and subjects full of controls, non-ASCII, long words and `=?` go through Herald's header
/// encoders and come back out of Python's `email` package (policy.default), an independent parser: the same
/// fields, no defects, and the decoded text equal to the input minus its controls.
struct HeaderRoundTripTests {
    static let inspector = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/inspect_messages.py").path

    /// Seeded, so a failure can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomValues(count: Int, seed: UInt64) -> [String] {
        var generator = SeededGenerator(state: seed)
        let alphabet = Array("aZ9 ÿ€😀Łü\r\n\t\u{0}\u{7}\u{1B}=?_:<>\"\\,;.@()[]".unicodeScalars)
        let fixed = ["=?UTF-8?B?SGk=?=", "Eve\r\nBcc: victim@example.com", String(repeating: "x", count: 1200),
                     String(repeating: "Ünïcødé", count: 120), "=?utf-8?q?=41?= plain =?", "\u{0}\u{0}", "   spaced   out   "]
        return fixed + (0..<count).map { _ in
            let length = Int.random(in: 0..<240, using: &generator)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length { scalars.append(alphabet.randomElement(using: &generator)!) }
            // Now and then a word too long for any line.
            if Bool.random(using: &generator) { scalars.append(contentsOf: String(repeating: "w", count: Int.random(in: 70...200, using: &generator)).unicodeScalars) }
            return String(scalars)
        }
    }

    /// What the reader should see: controls gone (line breaks and tabs became spaces), runs of white space
    /// counted once and the ends trimmed, since unfolding may merge or drop white space at a fold.
    static func visible(_ text: String) -> String {
        HeaderText.sanitized(text).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    @Test func anythingThatLooksLikeAnEncodedWordIsEncoded() {
        #expect(HeaderText.hasEncodedWordStart("Sale =?utf-8?q?x?= now"))
        #expect(HeaderText.hasEncodedWordStart("=?"))
        for text in ["", "=", "?", "?=", "a = ? b", "=!?", "é=é?"] { #expect(!HeaderText.hasEncodedWordStart(text), "\(text)") }
        // Plain ASCII that a decoder would misread goes out encoded, so it comes back as it was written.
        #expect(HeaderText.unstructured("Sale =?utf-8?q?x?= now").hasPrefix("=?UTF-8?B?"))
        #expect(HeaderText.phrase("=?x?=").hasPrefix("=?UTF-8?B?"))
    }

    @Test func independentParserSeesTheInputMinusControls() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let values = Self.randomValues(count: 200, seed: 20261125)
        for (index, value) in values.enumerated() {
            let draft = MessageDraft(from: try Mailbox(parsing: "News <news@example.com>"),
                                     to: Mailbox(displayName: value, address: try EmailAddress(parsing: "ada@example.com")),
                                     subject: value, textBody: "Hello", htmlBody: "<p>Hello</p>",
                                     listID: try! ListID(parsing: "<news.example.com>"), listUnsubscribeURL: "https://x.example/u/TOKEN")
            try Data(draft.mimeBytes()).write(to: folder.appendingPathComponent(String(format: "%04d.eml", index)))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.inspector, folder.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let messages = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(messages.count == values.count)
        for (value, message) in zip(values, messages) {
            let label = value.debugDescription
            #expect(message["header_names"] as? [String] == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "List-Id",
                                                              "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type"], "\(label)")
            #expect((message["defects"] as? [String])?.isEmpty == true, "\(label): \(message["defects"] ?? "")")
            #expect((message["longest_line"] as? Int ?? 0) <= 998, "\(label)")
            #expect(message["bare_lf"] as? Bool == false, "\(label)")
            #expect(Self.visible(message["subject"] as? String ?? "") == Self.visible(value), "subject of \(label)")
            // Python's phrase parser keeps the space between two adjacent encoded words, which RFC 2047 §6.2 says to
            // drop (its unstructured parser, used for Subject, drops it): so names are compared without white space.
            let name = (message["to_display_name"] as? String ?? "").filter { !$0.isWhitespace }
            #expect(name == Self.visible(value).filter { !$0.isWhitespace }, "name of \(label)")
            #expect(message["to_address"] as? String == "ada@example.com", "\(label)")
        }
    }
}
