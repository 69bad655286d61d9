import Foundation
import Testing

/// The send path against a real SMTP server (aiosmtpd) that misbehaves on purpose: temporary refusals, a 421
/// with a dropped connection, a slow server under a rate limit, STARTTLS with AUTH, and workers that are
/// killed or asked to stop in the middle of a campaign.
@Suite(.serialized)
struct SendingFaultTests {
    func setUp(_ behaviour: [String] = [], extra: String = "") throws -> (Sandbox, SMTPTestServer) {
        let sandbox = try Sandbox()
        let server = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool").path, behaviour: behaviour)
        try sandbox.writeConfiguration(smtpPort: server.port, extra: extra)
        return (sandbox, server)
    }

    @Test func aTemporaryRefusalIsRetriedAndThenDelivered() throws {
        let (sandbox, server) = try setUp(["--defer-once", "p2@example.com"])
        defer { server.stop(); sandbox.remove() }
        try sandbox.registerPeople(3)
        let id = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let worker = try sandbox.herald(["worker", "--until-idle", "--json"])
        let totals = try worker.json()
        // Counted once as deferred (451), then sent on the retry a second later.
        #expect(totals["sent"] as? Int == 3 && totals["deferred"] as? Int == 1, "\(worker.stdout)")
        #expect(server.acceptedRecipients().sorted() == ["p1@example.com", "p2@example.com", "p3@example.com"])
        let report = try sandbox.campaignReport(id)
        #expect(report.counts["sent"] == 3 && report.status == "done")
    }

    @Test func a421MidSessionDefersThatRecipientAndTheConnectionRecovers() throws {
        let (sandbox, server) = try setUp(["--drop", "p3@example.org"])
        defer { server.stop(); sandbox.remove() }
        try sandbox.registerPeople(6)
        try sandbox.registerPeople(3, domain: "example.org")
        let id = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let once = ["HERALD_RETRY_MAX_ATTEMPTS": "1"]
        let worker = try sandbox.herald(["worker", "--until-idle"], environment: once)
        #expect(worker.status == 0, "\(worker.stderr)")
        // Everyone else arrives, over connections that libcurl opened again after the drop.
        #expect(Set(server.acceptedRecipients()) == Set((1...6).map { "p\($0)@example.com" } + ["p1@example.org", "p2@example.org"]))
        #expect(server.acceptedRecipients().count == 8)
        // The operator sees why p3 failed: the server's code, enhanced status and text.
        let shown = try sandbox.herald(["campaign", "show", id, "--problems", "--json"]).json()
        let problems = shown["problems"] as? [[String: Any]] ?? []
        #expect(problems.count == 1)
        #expect(problems.first?["email"] as? String == "p3@example.org")
        #expect(problems.first?["state"] as? String == "failed")
        #expect(problems.first?["code"] as? Int == 421 && problems.first?["enhanced_status"] as? String == "4.7.28")
        #expect((problems.first?["reply"] as? String)?.contains("too many messages") == true)
        // Retrying the campaign queues the failure again; the server still drops it, so it fails again.
        let retried = try sandbox.herald(["campaign", "retry", id])
        #expect(retried.status == 0 && retried.stdout.contains("1 recipients queued again"), "\(retried.stderr)")
        #expect(try sandbox.campaignReport(id).status == "sending")
        #expect(try sandbox.herald(["worker", "--until-idle"], environment: once).status == 0)
        let report = try sandbox.campaignReport(id)
        #expect(report.counts["sent"] == 8 && report.counts["failed"] == 1 && report.status == "done")
    }

    @Test func aSlowServerLowersThroughputButNeverBreaksTheRate() throws {
        let (sandbox, server) = try setUp(["--slow", "0.2"], extra: "")
        defer { server.stop(); sandbox.remove() }
        try sandbox.registerPeople(12)
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let worker = try sandbox.herald(["worker", "--until-idle"], environment: ["HERALD_SMTP_RATE": "8", "HERALD_SMTP_CONNECTIONS": "4"])
        #expect(worker.status == 0, "\(worker.stderr)")
        let times = server.accepted().compactMap { $0["at"] as? Double }.sorted()
        #expect(times.count == 12)
        // Four connections at 0.2 s a message could take all twelve in 0.6 s; at 8 a second the starts are at
        // least 1/8 s apart, so the last arrives at least 11/8 s after the first (less the server's own jitter).
        if let first = times.first, let last = times.last {
            #expect(last - first >= 11.0 / 8 - 0.15, "\(times.map { $0 - first })")
        }
    }

    @Test func startTLSWithAuthAndItsFailuresFailClosed() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let cert = sandbox.folder.appendingPathComponent("cert.pem").path
        let key = sandbox.folder.appendingPathComponent("key.pem").path
        let made = try Sandbox.run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                                    "-keyout", key, "-out", cert])
        #expect(made.status == 0, "\(made.stderr)")
        let server = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool").path,
                                        behaviour: ["--tls", "\(cert):\(key)", "--auth", "herald:s3cret-pass"])
        defer { server.stop() }
        try sandbox.writeConfiguration(smtpPort: server.port, extra: "")
        // The sandbox writes `starttls: off`; this test's settings come from the environment, as secrets would.
        let environment = ["HERALD_SMTP_STARTTLS": "required", "HERALD_SMTP_CA_FILE": cert, "HERALD_SMTP_USERNAME": "herald"]
        try sandbox.registerPeople(2)
        let id = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])

        // A wrong password: nothing is sent, the jobs wait, exit 69, and the password is never printed.
        let denied = try sandbox.herald(["worker", "--until-idle"], environment: environment.merging(["HERALD_SMTP_PASSWORD": "wrong-pass"]) { $1 })
        #expect(denied.status == 69, "\(denied.stdout) \(denied.stderr)")
        #expect(denied.stderr.contains("refused the login") && denied.stderr.contains("535"), "\(denied.stderr)")
        #expect(!denied.stderr.contains("wrong-pass") && !denied.stdout.contains("wrong-pass"))
        #expect(server.accepted().isEmpty)
        #expect(try sandbox.campaignReport(id).counts["queued"] == 2)

        let sent = try sandbox.herald(["worker", "--until-idle"], environment: environment.merging(["HERALD_SMTP_PASSWORD": "s3cret-pass"]) { $1 })
        #expect(sent.status == 0, "\(sent.stdout) \(sent.stderr)")
        let accepted = server.accepted()
        #expect(accepted.count == 2)
        #expect(accepted.allSatisfy { $0["tls"] as? Bool == true && $0["authenticated"] as? Bool == true })

        // A server that offers no STARTTLS, with `required`: refused before any credentials or mail go out.
        let plain = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("plain").path)
        defer { plain.stop() }
        try sandbox.writeConfiguration(smtpPort: plain.port)
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let refused = try sandbox.herald(["worker", "--until-idle"], environment: ["HERALD_SMTP_STARTTLS": "required"])
        #expect(refused.status == 69, "\(refused.stderr)")
        #expect(plain.accepted().isEmpty)
    }

    /// A 150-recipient campaign whose `herald worker` gets `signal` once the server has accepted `deliveries`
    /// messages (or 30 s passed); returns after the worker has exited.
    func interruptedCampaign(_ signal: Int32, after deliveries: Int) throws -> (Sandbox, SMTPTestServer, String, Process) {
        let (sandbox, server) = try setUp(["--slow", "0.02"])
        try sandbox.registerPeople(150)
        let id = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let worker = try sandbox.startHerald(["worker"])
        let deadline = Date().addingTimeInterval(30)
        while server.accepted().count < deliveries, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        kill(worker.processIdentifier, signal)
        worker.waitUntilExit()
        return (sandbox, server, id, worker)
    }

    @Test func aKilledWorkerLosesNobodyAndResendsAtMostWhatWasInFlight() throws {
        let (sandbox, server, id, _) = try interruptedCampaign(SIGKILL, after: 40)
        defer { server.stop(); sandbox.remove() }
        let before = server.accepted().count
        // What the dead worker held: claimed, possibly sent, never recorded.
        let inFlight = try sandbox.campaignReport(id).counts["sending"] ?? 0
        #expect(before < 150, "the worker finished before it was killed; the test proves nothing")

        let resumed = try sandbox.herald(["worker", "--until-idle"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        // What was in flight is either in the dead worker's send journal (the server accepted it) or taken back.
        func count(_ phrase: String) -> Int {
            resumed.stderr.split(separator: "\n").compactMap { line in
                line.range(of: phrase).flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) }
            }.first ?? 0
        }
        #expect(count("recorded ") + count("took back ") == inFlight, "\(resumed.stderr)")
        let recipients = server.acceptedRecipients()
        #expect(Set(recipients) == Set((1...150).map { "p\($0)@example.com" }), "somebody was missed")
        #expect(recipients.count - 150 <= inFlight, "\(recipients.count - 150) duplicates, \(inFlight) were in flight")
        #expect(recipients.count - 150 <= 2, "at most one duplicate per connection (2): \(recipients.count - 150)")
        #expect(try sandbox.campaignReport(id).counts["sent"] == 150)
    }

    @Test func sigtermFinishesWhatIsInFlightReleasesTheRestAndExitsZero() throws {
        let (sandbox, server, id, worker) = try interruptedCampaign(SIGTERM, after: 30)
        defer { server.stop(); sandbox.remove() }
        #expect(worker.terminationReason == .exit && worker.terminationStatus == 0)
        let report = try sandbox.campaignReport(id)
        #expect(report.counts["sending"] == 0, "leases left behind: \(report.counts)")
        #expect(report.counts["sent"] == server.accepted().count, "every message that went out is recorded")
        #expect(report.counts["sent"] ?? 0 < 150, "the worker finished before it was stopped; the test proves nothing")

        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let recipients = server.acceptedRecipients()
        #expect(recipients.count == 150 && Set(recipients).count == 150, "a graceful stop sends nobody twice")
    }
}
