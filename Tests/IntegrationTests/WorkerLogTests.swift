import Foundation
import Testing

/// What the worker logs, at the most talkative level, through a real campaign that bounces, defers and is
/// killed: enough to follow it, and never an address, a name, a token, a reply text or a secret.
@Suite(.serialized)
struct WorkerLogTests {
    @Test func theWorkerLogsIdsAndCountsNeverAPersonOrASecret() throws {
        let sandbox = try Sandbox()
        let server = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool").path,
                                        behaviour: ["--reject", "p2@example.com=550", "--defer-once", "p3@example.com"])
        defer { server.stop(); sandbox.remove() }
        try sandbox.writeConfiguration(smtpPort: server.port)
        try sandbox.registerPeople(4)
        #expect(try sandbox.herald(["recipients", "add", "named@example.com", "--name", "Ada Lovelace", "--consent", "product-news"]).status == 0)
        let id = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let trace = ["HERALD_LOG_LEVEL": "trace"]
        let worker = try sandbox.herald(["worker", "--until-idle"], environment: trace)
        #expect(worker.status == 0, "\(worker.stderr)")
        let log = worker.stderr
        #expect(log.contains("herald: info: worker started") && log.contains("herald: info: campaign started")
                && log.contains("campaign=\(id)") && log.contains("herald: debug: recorded a batch") && log.contains("herald: info: worker stopped"),
                "\(log)")
        for secret in ["@", "Ada", "Lovelace", "/u/", "/preferences/", Sandbox.tokenSecret, Sandbox.suppressionKey, Sandbox.sessionKey] {
            #expect(!log.contains(secret), "the log holds '\(secret)': \(log)")
        }
        // The server's reply (550 …) as a number of its own: the worker's random owner id may hold those digits.
        #expect(log.firstMatch(of: /(^|[^0-9])550([^0-9]|$)/) == nil, "the log holds the reply code: \(log)")
        // By default only what needs attention: a clean run says nothing on standard error.
        let quiet = try sandbox.herald(["worker", "--until-idle"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
    }
}
