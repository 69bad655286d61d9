import Foundation
import Testing
@testable import Herald

/// Throttling by client, in memory: who the client is, how many failures it may have, and a table that no
/// flood of addresses can grow.
@Suite struct SignInThrottleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func fiveFailuresStopThatClientAndNoOther() {
        let throttle = SignInThrottle()
        for second in 0..<5 {
            #expect(throttle.admit("203.0.113.7", now: now.addingTimeInterval(Double(second))) == .admitted)
            throttle.settle("203.0.113.7", .failed, now: now.addingTimeInterval(Double(second)))
        }
        #expect(throttle.admit("203.0.113.7", now: now.addingTimeInterval(10)) == .throttled(retryAfter: 890))
        #expect(throttle.admit("198.51.100.20", now: now.addingTimeInterval(10)) == .admitted, "the staff member, elsewhere")
        #expect(throttle.admit("203.0.113.7", now: now.addingTimeInterval(900.5)) == .admitted, "the oldest failure aged out")
    }

    @Test func attemptsInFlightCountAndASuccessForgets() {
        let throttle = SignInThrottle()
        for _ in 0..<5 { #expect(throttle.admit("a", now: now) == .admitted) }
        if case .admitted = throttle.admit("a", now: now) { Issue.record("a sixth guess in parallel was let through") }
        for _ in 0..<4 { throttle.settle("a", .failed, now: now) }
        throttle.settle("a", .succeeded, now: now)
        #expect(throttle.admit("a", now: now) == .admitted)
        throttle.settle("a", .abandoned, now: now)
        #expect(throttle.count == 0, "nothing left to remember")
    }

    @Test func theTableHasAHardCap() {
        let throttle = SignInThrottle(capacity: 100)
        for client in 0..<1_000 {
            _ = throttle.admit("10.0.\(client / 256).\(client % 256)", now: now.addingTimeInterval(Double(client)))
            throttle.settle("10.0.\(client / 256).\(client % 256)", .failed, now: now.addingTimeInterval(Double(client)))
        }
        #expect(throttle.count <= 100)
        let recent = "10.0.\(999 / 256).\(999 % 256)"
        for _ in 0..<4 {
            _ = throttle.admit(recent, now: now.addingTimeInterval(1_000))
            throttle.settle(recent, .failed, now: now.addingTimeInterval(1_000))
        }
        #expect(throttle.admit(recent, now: now.addingTimeInterval(1_001)) != .admitted, "the most recent guesser is still remembered")
    }

    @Test func theClientIsThePeerUnlessATrustedProxySaysOtherwise() {
        let direct = ClientAddress(trustedProxies: [])
        #expect(direct.key(peer: "127.0.0.1", forwardedFor: ["203.0.113.7"]) == "127.0.0.1", "an untrusted peer's header is ignored")
        #expect(direct.key(peer: "::ffff:192.0.2.1", forwardedFor: []) == "192.0.2.1")
        #expect(direct.key(peer: "2001:db8:1:2:3:4:5:6", forwardedFor: []) == "2001:db8:1:2:0:0:0:0/64", "an IPv6 client is its /64")
        #expect(direct.key(peer: nil, forwardedFor: []) == "unknown")

        let proxied = ClientAddress(trustedProxies: ["127.0.0.1", "10.0.0.2"])
        #expect(proxied.key(peer: "127.0.0.1", forwardedFor: ["203.0.113.7"]) == "203.0.113.7")
        #expect(proxied.key(peer: "127.0.0.1", forwardedFor: ["198.51.100.20, 203.0.113.7"]) == "203.0.113.7", "the client's own claims are left of it")
        #expect(proxied.key(peer: "127.0.0.1", forwardedFor: ["203.0.113.7", "10.0.0.2"]) == "203.0.113.7", "through two trusted proxies")
        #expect(proxied.key(peer: "127.0.0.1", forwardedFor: ["not an address"]) == "127.0.0.1")
        #expect(proxied.key(peer: "127.0.0.1", forwardedFor: []) == "127.0.0.1")
        #expect(proxied.key(peer: "192.0.2.9", forwardedFor: ["203.0.113.7"]) == "192.0.2.9")
    }
}
