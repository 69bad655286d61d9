import Testing
@testable import Mail

struct EmailAddressTests {
    @Test func normalizesTheDomainAndKeepsTheLocalPart() throws {
        let address = try EmailAddress(parsing: "  Ada.Lovelace+news@EXAMPLE.Com ")
        #expect(address.normalized == "Ada.Lovelace+news@example.com")
        #expect(address.matchKey == "ada.lovelace+news@example.com")
    }

    @Test func internationalizedDomainsBecomeTheirIDNAForm() throws {
        #expect(try EmailAddress(parsing: "ada@Bücher.example").normalized == "ada@xn--bcher-kva.example")
        #expect(try EmailAddress(parsing: "ada@münchen.de").domain == "xn--mnchen-3ya.de")
        #expect(try EmailAddress(parsing: "ada@例え.テスト").domain == "xn--r8jz45g.xn--zckzah")
        // A decomposed ü (u + combining diaeresis) is the same domain.
        #expect(try EmailAddress(parsing: "ada@bu\u{0308}cher.example").domain == "xn--bcher-kva.example")
        #expect(throws: EmailAddress.ParseError.self) { try EmailAddress(parsing: "ada@bü cher.example") }
        #expect(throws: EmailAddress.ParseError.self) { try EmailAddress(parsing: "ada@☃.example") }
    }

    @Test(arguments: ["", "ada", "ada@", "@example.com", "a b@example.com", "ada@example", "ada@-example.com",
                      "ada..l@example.com", ".ada@example.com", "ada@exa_mple.com", "ada@ex\u{0}ample.com",
                      "ada\r\nBcc: x@example.com@example.com", "ada@ex ample.com", "\"quoted\"@example.com"])
    func refusesWhatIsNotAnAddress(_ text: String) {
        #expect(throws: EmailAddress.ParseError.self) { try EmailAddress(parsing: text) }
    }

    @Test func mailboxQuotesOrEncodesDisplayNames() throws {
        let address = try EmailAddress(parsing: "ed@example.net")
        #expect(Mailbox(displayName: "Ed Lucas", address: address).headerValue == "Ed Lucas <ed@example.net>")
        #expect(Mailbox(displayName: "Lucas, Ed \"E\"", address: address).headerValue == "\"Lucas, Ed \\\"E\\\"\" <ed@example.net>")
        #expect(Mailbox(displayName: "Édouard", address: address).headerValue == "=?UTF-8?B?w4lkb3VhcmQ=?= <ed@example.net>")
        #expect(Mailbox(displayName: "Eve\r\nBcc: x@example.com", address: address).headerValue == "\"Eve  Bcc: x@example.com\" <ed@example.net>")
        #expect(try Mailbox(parsing: "\"News Desk\" <news@example.com>").displayName == "News Desk")
    }
}
