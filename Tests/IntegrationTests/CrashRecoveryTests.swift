import Foundation
import TestDatabases
import Testing

/// The outbox's promise after a crash (README, "Sending through a real SMTP server"): a worker killed with
/// SIGKILL at any moment loses nobody, and re-sends at most the one message per connection whose SMTP
/// transaction was under way; what the server had already accepted is in the send journal.
@Suite(.serialized)
struct CrashRecoveryTests {
    static let recipients = 1_000
    static let connections = 4
    static let kills = 5

    @Test(arguments: TestBackend.allCases) func aWorkerKilledFiveTimesLosesNobodyAndResendsAtMostOnePerConnectionPerKill(_ backend: TestBackend) throws {
        let sandbox = try Sandbox(backend)
        // A little slow per message, so that five kills land in the middle of the campaign.
        let server = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool").path, behaviour: ["--slow", "0.004"])
        defer { server.stop(); sandbox.remove() }
        try sandbox.writeConfiguration(smtpPort: server.port, extra: "")
        let environment = ["HERALD_SMTP_CONNECTIONS": String(Self.connections)]
        try sandbox.registerPeople(Self.recipients)
        let id = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])

        var generator = SystemRandomNumberGenerator()
        var killedAt: [Int] = []
        for _ in 0..<Self.kills {
            let worker = try sandbox.startHerald(["worker"], environment: environment)
            // A random moment: after a random number of further deliveries, plus a random fraction of a message.
            let target = server.accepted().count + Int.random(in: 20...120, using: &generator)
            let deadline = Date().addingTimeInterval(30)
            while server.accepted().count < target, Date() < deadline, worker.isRunning { Thread.sleep(forTimeInterval: 0.005) }
            Thread.sleep(forTimeInterval: Double.random(in: 0..<0.01, using: &generator))
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
            killedAt.append(server.accepted().count)
        }
        #expect(killedAt.last! < Self.recipients, "the campaign finished before the last kill; the test proves less than it says")

        let resumed = try sandbox.herald(["worker", "--until-idle"], environment: environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let delivered = server.acceptedRecipients()
        let everyone = Set((1...Self.recipients).map { "p\($0)@example.com" })
        #expect(Set(delivered) == everyone, "\(everyone.subtracting(delivered).count) recipients missed")
        let duplicates = delivered.count - Set(delivered).count
        print("crash recovery (\(backend)): \(Self.kills) SIGKILLs (after \(killedAt.map(String.init).joined(separator: ", ")) deliveries), "
              + "\(duplicates) duplicates of \(Self.recipients) over \(Self.connections) connections (at most \(Self.connections * Self.kills) allowed)")
        #expect(duplicates <= Self.connections * Self.kills, "\(duplicates) duplicates after \(Self.kills) kills")
        let report = try sandbox.campaignReport(id)
        #expect(report.counts["sent"] == Self.recipients && report.status == "done", "\(report)")
        // Every journal was folded and removed.
        let journals = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.journalFolder)) ?? []
        #expect(journals.isEmpty, "\(journals)")
    }
}
