import Foundation
import Testing
@testable import Mail

struct MessageDraftTests {
    func draft(name: String, subject: String, text: String = "Hello\n", html: String = "<p>Hello</p>") throws -> MessageDraft {
        MessageDraft(from: try Mailbox(parsing: "News <news@example.com>"),
                     to: Mailbox(displayName: name, address: try EmailAddress(parsing: "ada@example.com")),
                     subject: subject, textBody: text, htmlBody: html,
                     date: Date(timeIntervalSince1970: 1_800_000_000), messageID: "id1@example.com",
                     listID: try! ListID(parsing: "<news.example.com>"), listUnsubscribeURL: "https://x.example/u/TOKEN")
    }

    /// The header block, split into fields by the RFC 5322 rule: a line starting with white space continues.
    func fields(of bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        let header = text.components(separatedBy: "\r\n\r\n")[0]
        var fields: [String] = []
        for line in header.components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t") { fields[fields.count - 1] += line } else { fields.append(line) }
        }
        return fields
    }

    @Test func writesTheHeadersOnceEachInOrder() throws {
        let names = fields(of: try draft(name: "Ada", subject: "Hi").mimeBytes()).map { String($0.prefix { $0 != ":" }) }
        #expect(names == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "List-Id", "List-Unsubscribe",
                          "List-Unsubscribe-Post", "Content-Type"])
    }

    @Test func dataCannotAddOrBreakAHeader() throws {
        let nasty = ["Eve\r\nBcc: victim@example.com", "Eve\nX-Injected: 1", "Eve\u{0}\r\n\r\nbody", "=?UTF-8?B?SGk=?=",
                     String(repeating: "Ü", count: 500), String(repeating: "a", count: 2000), "Zoë \r\n\t\u{7F}\u{85}\u{2028}",
                     String(repeating: "word ", count: 300)]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab ÿ€😀\r\n\t\u{0}=?:<>\"\\,;.".unicodeScalars)
        let random = (0..<200).map { _ in
            String(String.UnicodeScalarView((0..<Int.random(in: 0..<300, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for value in nasty + random {
            let bytes = try draft(name: value, subject: value).mimeBytes()
            let names = fields(of: bytes).map { String($0.prefix { $0 != ":" }) }
            #expect(names.count == 10, "value \(value.debugDescription) produced fields \(names)")
            let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
            #expect(lines.allSatisfy { $0.utf8.count <= 998 })
            #expect(!bytes.contains(0))
            #expect(!String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "").contains("\n"))
            let header = lines.prefix { !$0.isEmpty }
            for line in header where line.utf8.count > 78 && line.dropFirst().contains(" ") { Issue.record("too long: \(line.debugDescription)") }
        }
    }

    @Test func bodiesAreQuotedPrintableWithShortCRLFLines() throws {
        let long = String(repeating: "Grüße ", count: 100) + "trailing space \nline2\r\nline3\rend"
        let bytes = try draft(name: "A", subject: "S", text: long, html: "<p>" + long + "</p>").mimeBytes()
        let text = String(decoding: bytes, as: UTF8.self)
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        for line in body.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76, "\(line)")
            #expect(!line.hasSuffix(" "))
        }
        #expect(QuotedPrintable.decodeForTest(QuotedPrintable.encode(long)) == long.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\r", with: "\n").replacingOccurrences(of: "\n", with: "\r\n"))
    }
}
