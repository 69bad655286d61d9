import Crypto
import _CryptoExtras
import Foundation
import Testing
@testable import Mail

struct DKIMSignerTests {
    /// The worked example of RFC 6376 §3.4.5.
    @Test func relaxedCanonicalizationMatchesTheRFCExample() {
        let a = DKIMCanonicalization.relaxedHeader(Array("A: X\r\n".utf8))
        let b = DKIMCanonicalization.relaxedHeader(Array("B : Y\t\r\n\tZ  \r\n".utf8))
        #expect(String(decoding: a + b, as: UTF8.self) == "a:X\r\nb:Y Z\r\n")
        let body = DKIMCanonicalization.relaxedBody(Array(" C \r\nD \t E\r\n\r\n\r\n".utf8)[...])
        #expect(String(decoding: body, as: UTF8.self) == " C\r\nD E\r\n")
        #expect(DKIMCanonicalization.relaxedBody(Array("end  ".utf8)[...]) == Array("end\r\n".utf8))
        #expect(DKIMCanonicalization.relaxedBody(Array("\r\n \r\n\t\r\n".utf8)[...]).isEmpty)
        #expect(DKIMCanonicalization.relaxedBody(Array("a\r\n\r\nb\r\n \r\n".utf8)[...]) == Array("a\r\n\r\nb\r\n".utf8))
    }

    /// The shortcut may only say "already relaxed" when relaxing would change nothing.
    @Test func theAlreadyRelaxedShortcutNeverLies() {
        let samples = ["", "\r\n", "a\r\n", "a b\r\n", "a  b\r\n", "a \r\n", " a\r\n", "a\tb\r\n", "a\r\n\r\n",
                       "a\r\n\r\nb\r\n", "a", "a\nb\r\n", "a\rb\r\n", "=C3=BC=\r\nx\r\n"]
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x20, 0x09, 0x0D, 0x0A, UInt8(ascii: "a"), UInt8(ascii: "=")]
        let random = (0..<2000).map { _ in (0..<Int.random(in: 0..<12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! } }
        for body in samples.map({ Array($0.utf8) }) + random where DKIMCanonicalization.isRelaxedBody(body[...]) {
            #expect(DKIMCanonicalization.relaxedBody(body[...]) == body, "\(String(decoding: body, as: UTF8.self).debugDescription)")
        }
        // Longer bodies whose line ends are all CRLF pairs cross the 16-byte steps of the scan, and for them the
        // shortcut must also say "already relaxed" whenever relaxing changes nothing.
        let pieces = ["\r\n", " ", "\t", "a", "=", "bc", "defghijklmnopq"].map { Array($0.utf8) }
        let bodies = (0..<3000).map { round in
            (0..<Int.random(in: 1...(round < 1500 ? 20 : 60), using: &generator)).flatMap { _ in
                // Mostly letters and single spaces, so that many samples are relaxed and the rare change is the test.
                Int.random(in: 0..<10, using: &generator) < 7 ? pieces[[1, 3, 5, 6].randomElement(using: &generator)!]
                    : pieces.randomElement(using: &generator)!
            } + pieces[0]
        }
        var relaxedCount = 0
        for body in bodies {
            let relaxed = DKIMCanonicalization.relaxedBody(body[...]) == body
            relaxedCount += relaxed ? 1 : 0
            #expect(DKIMCanonicalization.isRelaxedBody(body[...]) == relaxed, "\(String(decoding: body, as: UTF8.self).debugDescription)")
        }
        #expect(relaxedCount > 100, "the samples should include relaxed bodies")
        let message = draft().mimeBytes()
        let bodyStart = DKIMSigner.splitHeader(message).bodyStart
        #expect(DKIMCanonicalization.isRelaxedBody(message[bodyStart...]), "Herald's own bodies should take the shortcut")
    }

    func draft() -> MessageDraft {
        MessageDraft(from: Mailbox(displayName: "News", address: try! EmailAddress(parsing: "news@example.com")),
                     to: Mailbox(displayName: "Ada", address: try! EmailAddress(parsing: "ada@example.org")),
                     subject: "Hello", textBody: "Hi Ada", htmlBody: "<p>Hi Ada</p>",
                     listID: try! ListID(parsing: "<news.example.com>"), listUnsubscribeURL: "https://example.com/u/abc")
    }

    @Test func theSignatureCoversAndOversignsTheRightFields() throws {
        let signer = DKIMSigner(domain: "example.com", selector: "s1", key: .ed25519(Curve25519.Signing.PrivateKey()))
        let signed = try signer.sign(draft().mimeBytes(), at: Date(timeIntervalSince1970: 1_800_000_000))
        let text = String(decoding: signed, as: UTF8.self)
        let field = String(text[..<text.range(of: "\r\nFrom:")!.lowerBound]).replacingOccurrences(of: "\r\n\t", with: "")
        #expect(field.contains("t=1800000000;"))
        let h = field.components(separatedBy: "h=")[1].components(separatedBy: ";")[0].split(separator: ":").map(String.init)
        #expect(h == ["from", "from", "to", "subject", "subject", "date", "message-id", "mime-version", "content-type",
                      "list-id", "list-unsubscribe", "list-unsubscribe", "list-unsubscribe-post", "list-unsubscribe-post"])
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }

        // A message nobody may opt out of still lists the one-click fields, so they cannot be added afterwards.
        var notice = draft()
        notice.listUnsubscribeURL = nil
        let noticeText = String(decoding: try signer.sign(notice.mimeBytes()), as: UTF8.self).replacingOccurrences(of: "\r\n\t", with: "")
        #expect(noticeText.contains("list-id:list-unsubscribe:list-unsubscribe-post;"))
    }

    @Test func keysOfTheWrongTypeAreRefused() throws {
        let small = try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
        #expect(throws: DKIMKey.LoadError.self) { try DKIMKey(pem: small, algorithm: .ed25519SHA256) }
        #expect(throws: DKIMKey.LoadError.self) { try DKIMKey(pem: "not a key", algorithm: .rsaSHA256) }
        let key = try DKIMKey(pem: small, algorithm: .rsaSHA256)
        #expect(key.publicKeyRecord.hasPrefix("v=DKIM1; k=rsa; p=MII"))
    }
}
