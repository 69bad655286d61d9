import Foundation
import Testing
@testable import Tokens

struct TokenAuthorityTests {
    let current = try! TokenKey(id: "k2", secret: Array("the-current-secret-32-bytes-long".utf8))
    let previous = try! TokenKey(id: "k1", secret: Array("the-previous-secret-of-last-year".utf8))
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func claims(recipient: Int64 = 42, scope: String = "product-news", action: TokenClaims.Action = .unsubscribe) -> TokenClaims {
        TokenClaims(action: action, recipientID: recipient, scope: scope, issuedAt: now)
    }

    @Test func base64URLMatchesFoundationsAlphabetSwappedAndUnpadded() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(TokenAuthority.base64URL(bytes) == expected)
            #expect(TokenAuthority.decodeBase64URL(expected) == bytes)
        }
    }

    @Test func roundTripsItsClaims() throws {
        let authority = try TokenAuthority(keys: [current])
        let token = authority.issue(claims())
        #expect(try authority.verify(token, expecting: .unsubscribe, now: now) == claims())
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "URL-safe")
    }

    @Test func everyChangedCharacterIsRejected() throws {
        let authority = try TokenAuthority(keys: [current])
        let token = Array(authority.issue(claims()))
        for index in token.indices {
            var tampered = token
            tampered[index] = tampered[index] == "A" ? "B" : "A"
            #expect(throws: TokenError.self) { try authority.verify(String(tampered), expecting: .unsubscribe, now: now) }
        }
    }

    @Test func truncatedOrGarbageIsMalformed() throws {
        let authority = try TokenAuthority(keys: [current])
        let token = authority.issue(claims())
        for bad in [String(token.dropLast()), String(token.dropLast(10)), "", "!!!", String(repeating: "A", count: 600), token + "AA"] {
            #expect(throws: TokenError.self) { try authority.verify(bad, expecting: .unsubscribe, now: now) }
        }
    }

    @Test func rotationKeepsOldTokensUntilTheKeyIsRetired() throws {
        let old = try TokenAuthority(keys: [previous]).issue(claims())
        let rotated = try TokenAuthority(keys: [current, previous])
        #expect(try rotated.verify(old, expecting: .unsubscribe, now: now).recipientID == 42)
        #expect(rotated.issue(claims()).hasPrefix(try TokenAuthority(keys: [current]).issue(claims()).prefix(4)))
        let retired = try TokenAuthority(keys: [current])
        #expect(throws: TokenError(.unknownKey, "the token was signed with a key that is no longer accepted")) {
            try retired.verify(old, expecting: .unsubscribe, now: now)
        }
    }

    @Test func aKeyWithTheSameIdButAnotherSecretIsRejected() throws {
        let forger = try TokenAuthority(keys: [TokenKey(id: "k2", secret: Array("an-attacker-guessing-the-secret!".utf8))])
        let forged = forger.issue(claims(recipient: 7))
        #expect(throws: TokenError.self) { try TokenAuthority(keys: [current]).verify(forged, expecting: .unsubscribe, now: now) }
    }

    @Test func actsOnlyForItsAction() throws {
        let authority = try TokenAuthority(keys: [current])
        let confirm = authority.issue(claims(action: .confirm))
        #expect(throws: TokenError.self) { try authority.verify(confirm, expecting: .unsubscribe, now: now) }
    }

    @Test func unsubscribeLivesAYearConfirmationAWeek() throws {
        let authority = try TokenAuthority(keys: [current])
        let unsubscribe = authority.issue(claims())
        #expect(try authority.verify(unsubscribe, expecting: .unsubscribe, now: now.addingTimeInterval(400 * 86_400)).scope == "product-news")
        let confirm = authority.issue(claims(action: .confirm))
        #expect(throws: TokenError.self) { try authority.verify(confirm, expecting: .confirm, now: now.addingTimeInterval(8 * 86_400)) }
    }

    @Test func keysMustBeSound() {
        #expect(throws: TokenError.self) { try TokenKey(id: "k", secret: Array("short".utf8)) }
        #expect(throws: TokenError.self) { try TokenKey(id: "bad id", secret: Array("long-enough-secret-value".utf8)) }
        #expect(throws: TokenError.self) { try TokenAuthority(keys: []) }
        #expect(throws: TokenError.self) { try TokenAuthority(keys: [current, current]) }
    }

    /// Base64 leaves unused bits in a last character that stands for a partial byte: setting them decodes to the
    /// same bytes. Only the one canonical spelling of a token is accepted, and padding or the standard
    /// alphabet's `+` and `/` never are.
    @Test func onlyTheCanonicalSpellingIsAccepted() throws {
        let authority = try TokenAuthority(keys: [current])
        var found = 0
        for length in 1...6 {
            let token = authority.issue(claims(scope: String(repeating: "s", count: length)))
            #expect(try authority.verify(token, expecting: .unsubscribe, now: now).scope.count == length)
            guard token.utf8.count % 4 != 0 else { continue }
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            let last = alphabet.firstIndex(of: token.last!)!
            let unusedBits = token.utf8.count % 4 == 2 ? 4 : 2
            let sibling = String(token.dropLast()) + String(alphabet[last ^ 1])
            #expect(last & ((1 << unusedBits) - 1) == 0, "a canonical last character leaves its unused bits clear")
            #expect(throws: TokenError(.malformed, "the token is not well-formed")) {
                try authority.verify(sibling, expecting: .unsubscribe, now: now)
            }
            found += 1
        }
        #expect(found > 0, "some token lengths end in a partial group")
        let token = authority.issue(claims())
        #expect(throws: TokenError.self) { try authority.verify(token + "=", expecting: .unsubscribe, now: now) }
        #expect(throws: TokenError.self) { try authority.verify(token + "==", expecting: .unsubscribe, now: now) }
        let standard = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if standard != token { #expect(throws: TokenError.self) { try authority.verify(standard, expecting: .unsubscribe, now: now) } }
    }

    /// A scope longer than the 255 bytes a token holds is cut where a character ends, so the token verifies.
    @Test func aLongScopeIsCutOnACharacterBoundary() throws {
        let authority = try TokenAuthority(keys: [current])
        let scope = String(repeating: "a", count: 254) + "é" + "tail"
        let claims = try authority.verify(authority.issue(claims(scope: scope)), expecting: .unsubscribe, now: now)
        #expect(claims.scope == String(repeating: "a", count: 254))
    }
}
