import Foundation
import TestDatabases
import Testing

/// A campaign end to end through the real binary: the CLI registers people, creates a campaign, and the
/// worker sends it through libcurl to a real SMTP server (aiosmtpd). Python's email package judges the result.
@Suite(.serialized)
struct CampaignDeliveryTests {
    @Test(arguments: TestBackend.allCases) func campaignReachesExactlyTheConsentingRecipients(_ backend: TestBackend) throws {
        let sandbox = try Sandbox(backend)
        defer { sandbox.remove() }
        let spool = sandbox.folder.appendingPathComponent("spool").path
        let server = try SMTPTestServer(spool: spool)
        defer { server.stop() }
        try sandbox.writeConfiguration(smtpPort: server.port)

        #expect(try sandbox.herald(["init"]).status == 0)
        let people: [(String, [String])] = [
            ("ada@example.com", ["--name", "Ada Lovelace", "--consent", "product-news"]),
            ("grace@example.org", ["--name", "Grace Hopper", "--consent", "product-news", "--consent", "promotions"]),
            ("edouard@example.net", ["--name", "Édouard \"Ed\" Lucas", "--consent", "product-news"]),
            ("linus@example.com", ["--consent", "promotions"]),        // no product-news consent
            ("nobody@example.com", []),                                // no consent at all
            ("revoked@example.com", ["--consent", "product-news"]),    // withdraws below
            ("Suppressed@EXAMPLE.com", ["--consent", "product-news"]), // suppressed below
        ]
        for (email, options) in people {
            let result = try sandbox.herald(["recipients", "add", email] + options)
            #expect(result.status == 0, "\(email): \(result.stderr)")
        }
        #expect(try sandbox.herald(["consent", "revoke", "revoked@example.com", "product-news"]).status == 0)
        #expect(try sandbox.herald(["suppress", "suppressed@example.com", "--reason", "complaint"]).status == 0)

        let campaignID = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--name", "Winter news"])
        #expect(Int(campaignID) != nil)

        let worker = try sandbox.herald(["worker", "--until-idle"])
        #expect(worker.status == 0, "\(worker.stderr)")

        let messages = try Sandbox.inspectMessages(in: spool)
        let recipients = messages.compactMap { ($0["envelope"] as? [String: Any])?["rcpt_tos"] as? [String] }.flatMap { $0 }
        #expect(recipients.sorted() == ["ada@example.com", "edouard@example.net", "grace@example.org"])
        for message in messages {
            let file = message["file"] as? String ?? "?"
            #expect((message["defects"] as? [String])?.isEmpty == true, "\(file): \(message["defects"] ?? "")")
            #expect(message["content_type"] as? String == "multipart/alternative")
            let parts = message["parts"] as? [[String: Any]] ?? []
            #expect(parts.map { $0["type"] as? String } == ["text/plain", "text/html"], "\(file)")
            #expect((message["list_unsubscribe"] as? String)?.hasPrefix("<https://mail.example.com/u/") == true)
            #expect(message["list_unsubscribe_post"] as? String == "List-Unsubscribe=One-Click")
            #expect(message["bare_lf"] as? Bool == false)
            #expect((message["longest_line"] as? Int ?? 999) <= 998)
            #expect((message["envelope"] as? [String: Any])?["mail_from"] as? String == "news@example.com")
            let to = message["to_address"] as? String
            #expect(to == recipients.first { $0 == to })
            if to == "edouard@example.net" {
                #expect(message["to"] as? String == "\"Édouard \\\"Ed\\\" Lucas\" <edouard@example.net>")
                #expect((message["subject"] as? String)?.contains("Édouard") == true)
            }
        }

        let report = try sandbox.campaignReport(campaignID)
        #expect(report.counts["sent"] == 3)
        #expect(report.counts["queued"] == 0)
        #expect(report.counts["skipped"] == 0)
        #expect(report.status == "done")
    }

    @Test(arguments: TestBackend.allCases) func permanentRefusalBouncesAndSuppressesTemporaryOneDefers(_ backend: TestBackend) throws {
        let sandbox = try Sandbox(backend)
        defer { sandbox.remove() }
        let spool = sandbox.folder.appendingPathComponent("spool").path
        let server = try SMTPTestServer(spool: spool, rejecting: ["gone@example.com": 550, "busy@example.com": 451])
        defer { server.stop() }
        try sandbox.writeConfiguration(smtpPort: server.port, extra: "")
        for email in ["ok@example.com", "gone@example.com", "busy@example.com"] {
            #expect(try sandbox.herald(["recipients", "add", email, "--consent", "promotions"]).status == 0)
        }
        let id = try sandbox.createCampaign(["--kind", "promotion", "--template", "promotion"])
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)

        let counts = try sandbox.campaignReport(id).counts
        #expect(counts["sent"] == 1)
        #expect(counts["bounced"] == 1)
        // 451 three times (max_attempts 3, backoff 1s): it ends failed, not bounced, and nothing was lost.
        #expect(counts["failed"] == 1)
        #expect(try Sandbox.inspectMessages(in: spool).count == 1)

        // The bounced address is suppressed: a new campaign does not even queue it.
        let second = try sandbox.createCampaign(["--kind", "promotion", "--template", "promotion"])
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let secondCounts = try sandbox.campaignReport(second).counts
        #expect(secondCounts["sent"] == 1)
        #expect(secondCounts["bounced"] == 0)
        #expect(secondCounts["failed"] == 1)
    }

    @Test func unreachableServerExits69AndLosesNobody() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        // A port nobody listens on: bind one, then close it.
        let port = try Self.closedPort()
        try sandbox.writeConfiguration(smtpPort: port)
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "product-news"]).status == 0)
        let id = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let worker = try sandbox.herald(["worker", "--until-idle"])
        #expect(worker.status == 69)
        #expect(worker.stderr.hasPrefix("herald: error: cannot deliver to smtp://127.0.0.1:\(port)"))
        #expect(worker.stderr.split(separator: "\n").count == 1)
        #expect(try sandbox.campaignReport(id).counts["queued"] == 1, "the job returns to the queue without using an attempt")
    }

    /// A server that refuses our sender says nothing about the recipients: nobody is bounced or suppressed.
    @Test func aRefusedSessionIsNotABounce() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool").path, refusingSendersWith: 550)
        defer { server.stop() }
        try sandbox.writeConfiguration(smtpPort: server.port)
        for email in ["a@example.com", "b@example.com", "c@example.com"] {
            #expect(try sandbox.herald(["recipients", "add", email, "--consent", "promotions"]).status == 0)
        }
        let id = try sandbox.createCampaign(["--kind", "promotion", "--template", "promotion"])
        let worker = try sandbox.herald(["worker", "--until-idle"])
        #expect(worker.status == 69)
        #expect(worker.stderr.contains("refused the session: 550 5.7.1 sender not allowed"), "\(worker.stderr)")
        let counts = try sandbox.campaignReport(id).counts
        #expect(counts["bounced"] == 0 && counts["failed"] == 0)
        #expect((counts["queued"] ?? 0) + (counts["deferred"] ?? 0) == 3)
        // Nobody was suppressed: the next worker run, against a server that accepts, reaches all three.
        server.stop()
        let good = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool2").path)
        defer { good.stop() }
        try sandbox.writeConfiguration(smtpPort: good.port)
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        #expect(try sandbox.campaignReport(id).counts["sent"] == 3)
    }

    static func closedPort() throws -> Int {
        let result = try Sandbox.run("/usr/bin/env", ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
        guard let port = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestFailure("no port") }
        return port
    }
}
