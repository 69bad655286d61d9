import Foundation
import Testing
import Tokens

/// Step 12's signed return path, through the real binary into aiosmtpd: with `bounce.domain` set, each message's
/// envelope sender is `b-TOKEN@bounce.domain`, the token naming that message's outbox job, signed with
/// `bounce.key`, readable by no one else, and no address in it; the DKIM signature and the From are unchanged.
@Suite(.serialized)
struct ReturnPathTests {
    static let key = "integration-BOUNCE-key-0123456789abcdef"

    @Test func eachMessageBouncesToItsOwnSignedAddress() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let spool = sandbox.folder.appendingPathComponent("spool").path
        let server = try SMTPTestServer(spool: spool)
        defer { server.stop() }
        try sandbox.writeConfiguration(smtpPort: server.port, extra: "bounce:\n  domain: Bounce.Example.com\n  key: \(Self.key)\n")
        #expect(try sandbox.herald(["init"]).status == 0)
        try sandbox.registerPeople(3)
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let worker = try sandbox.herald(["worker", "--until-idle"], environment: ["HERALD_BOUNCE_KEY": Self.key])
        #expect(worker.status == 0, "\(worker.stderr)")
        let messages = try Sandbox.inspectMessages(in: spool)
        #expect(messages.count == 3)
        var jobs: Set<Int64> = []
        for message in messages {
            let sender = try #require((message["envelope"] as? [String: Any])?["mail_from"] as? String)
            let parts = sender.split(separator: "@").map(String.init)
            #expect(parts.count == 2 && parts[1] == "bounce.example.com" && parts[0].hasPrefix("b-") && parts[0].utf8.count <= 64, "\(sender)")
            #expect(!sender.contains("p1") && !sender.contains("example.com@"), "no address in the return path")
            let token = try #require(ReturnPathToken.verify(parts[0], keys: [Array(Self.key.utf8)], now: Date()), "\(sender)")
            #expect(token.kind == .bounce)
            jobs.insert(token.id)
            #expect(ReturnPathToken.verify(parts[0], keys: [Array("a-forger's-key-0123456789abcdefghij".utf8)], now: Date()) == nil)
            #expect(message["from"] as? String == "Example News <news@example.com>")
        }
        #expect(jobs.count == 3, "one job each")
        // Without bounce.key, bounce.domain is refused with one line naming the key.
        try sandbox.writeConfiguration(smtpPort: server.port, extra: "bounce:\n  domain: bounce.example.com\n")
        let refused = try sandbox.herald(["worker", "--until-idle"])
        #expect(refused.status == 78 && refused.stderr.contains("bounce.key is required when bounce.domain is set"), "\(refused.stderr)")
    }
}
