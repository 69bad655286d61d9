import Mail
import Testing
@testable import Herald

/// What the registration limits count as one mailbox.
@Suite struct MailboxKeyTests {
    func key(_ text: String) throws -> MailboxKey { MailboxKey(try EmailAddress(parsing: text)) }

    @Test func aSubaddressIsItsMailbox() throws {
        #expect(try key("victim+1@example.com").mailbox == "victim@example.com")
        #expect(try key("Victim+News+More@Example.COM").mailbox == "victim@example.com")
        #expect(try key("victim@example.com") == key("VICTIM+x@example.com"))
        #expect(try key("+tag@example.com").mailbox == "@example.com", "a local part that is all tag is one mailbox too")
    }

    @Test func gmailIgnoresDotsAndGooglemailIsGmail() throws {
        #expect(try key("v.i.c.t.i.m@gmail.com").mailbox == "victim@gmail.com")
        #expect(try key("Vic.Tim+x@googlemail.com").mailbox == "victim@gmail.com")
        #expect(try key("victim@googlemail.com").domain == "gmail.com")
    }

    @Test func otherDomainsKeepTheirDots() throws {
        #expect(try key("first.last@example.com").mailbox == "first.last@example.com")
        #expect(try key("firstlast@example.com") != key("first.last@example.com"))
    }

    @Test func theHashesAreKeyedAndNeverAnAddresssHash() throws {
        let hasher = AddressHasher(key: Array("a key of thirty-two bytes or more!".utf8))
        let address = try EmailAddress(parsing: "victim@example.com")
        let hashes = hasher.hash(MailboxKey(address))
        #expect(hashes.mailbox != hasher.hash(address) && hashes.mailbox != hashes.domain)
        #expect(hashes.mailbox == hasher.hash(try key("victim+2@example.com")).mailbox)
        #expect(hashes.mailbox != AddressHasher(key: Array("another key of thirty-two bytes!!".utf8)).hash(MailboxKey(address)).mailbox)
    }
}
