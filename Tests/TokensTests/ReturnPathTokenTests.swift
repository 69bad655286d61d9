import Foundation
import Testing
@testable import Tokens

/// The signed local parts of Step 12's return path and `mailto:` unsubscribe.
struct ReturnPathTokenTests {
    let key = Array("return-path-test-key-0123456789abcdef".utf8)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aBounceTokenNamesItsJobFitsALocalPartAndSurvivesCaseChanges() throws {
        let token = ReturnPathToken(kind: .bounce, id: 9_000_000_000, issuedAt: now)
        let local = token.localPart(keys: [key])
        #expect(local.hasPrefix("b-") && local.utf8.count <= 64 && local == local.lowercased(), "\(local)")
        #expect(ReturnPathToken.verify(local, keys: [key], now: now)?.id == 9_000_000_000)
        #expect(ReturnPathToken.verify(local.uppercased(), keys: [key], now: now)?.kind == .bounce, "a server that upper-cases it")
        #expect(ReturnPathToken.verify(local, keys: [Array("another-key-0123456789abcdefghijkl".utf8), key], now: now) != nil, "an older key verifies")
    }

    @Test func anUnsubscribeTokenNamesPersonPurposeAndCampaign() throws {
        let local = ReturnPathToken(kind: .unsubscribe, id: 42, purpose: 1, campaign: 7, issuedAt: now).localPart(keys: [key])
        let verified = try #require(ReturnPathToken.verify(local, keys: [key], now: now.addingTimeInterval(400 * 86_400)))
        #expect(local.hasPrefix("u-") && verified.id == 42 && verified.purpose == 1 && verified.campaign == 7 && local.utf8.count <= 64)
    }

    @Test func forgedTamperedExpiredOrRenamedTokensNameNothing() throws {
        let local = ReturnPathToken(kind: .bounce, id: 5, issuedAt: now).localPart(keys: [key])
        #expect(ReturnPathToken.verify(local, keys: [Array("a-key-the-forger-made-0123456789ab".utf8)], now: now) == nil)
        var scalars = Array(local)
        scalars[4] = scalars[4] == "a" ? "b" : "a"
        #expect(ReturnPathToken.verify(String(scalars), keys: [key], now: now) == nil, "one character changed")
        #expect(ReturnPathToken.verify("u-" + local.dropFirst(2), keys: [key], now: now) == nil, "a bounce token is not an unsubscribe")
        #expect(ReturnPathToken.verify(local, keys: [key], now: now.addingTimeInterval(61 * 86_400)) == nil, "a bounce comes within 60 days")
        for junk in ["b-", "b-!!!!", "x-" + local.dropFirst(2), String(repeating: "b", count: 80), "b-aaaaaaaaaaaaaaaaaaaaaaaa"] {
            #expect(ReturnPathToken.verify(junk, keys: [key], now: now) == nil, "\(junk)")
        }
    }

    @Test(arguments: [[UInt8](), [0], [0xFF, 0x00, 0x7F], Array(0...40)])
    func base32RoundTripsWithOneSpellingPerValue(_ bytes: [UInt8]) {
        let text = Base32.encode(bytes)
        #expect(Base32.decode(text) == bytes)
        if let last = text.last, let index = Base32.alphabet.firstIndex(of: last.asciiValue!), index < 31, bytes.count % 5 != 0 {
            // The same bits with a trailing bit set: a second spelling, refused.
            let other = String(text.dropLast()) + String(UnicodeScalar(Base32.alphabet[index + 1]))
            #expect(Base32.decode(other) == nil || Base32.decode(other) != bytes)
        }
    }
}
