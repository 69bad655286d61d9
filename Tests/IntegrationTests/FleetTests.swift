import Foundation
import TestDatabases
import Testing

/// Step 8's promise for many machines: three workers, each on a "machine" of its own (a network namespace with
/// its own loopback, reaching PostgreSQL and the SMTP server only across a bridge), share one store and one
/// SMTP server, while `herald serve` takes one-click unsubscribes. One worker is SIGKILLed mid-campaign.
/// Nobody is missed, duplicates stay within the dead worker's connections, nobody whose unsubscribe was
/// answered before their message began is mailed after it, and `smtp.rate` holds for the fleet.
@Suite(.serialized)
struct FleetTests {
    static let recipients = 480
    static let rate = 60.0
    static let connectionsPerWorker = 2
    static let unsubscribers = 20

    @Test func threeWorkersOnThreeMachinesShareOneStoreOneRateAndTheOptOuts() throws {
        let network = NetworkNamespaces(count: 3)
        defer { network?.remove() }
        if network == nil {
            print("fleet: network namespaces cannot be made here (no CAP_NET_ADMIN); the three workers run as plain processes on this machine")
        }
        let hostAddress = network?.hostAddress ?? "127.0.0.1"
        let cluster = try PostgresCluster(listen: ["127.0.0.1"] + (network.map { [$0.hostAddress] } ?? []), clients: network.map { [$0.subnet] } ?? [])
        defer { cluster.stop() }
        let database = try cluster.freshDatabaseName()
        let sandbox = try Sandbox(postgres: cluster.url(database: database), environment: ["HERALD_DATABASE_PASSWORD": cluster.password])
        let server = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool").path, behaviour: ["--slow", "0.005"], host: hostAddress)
        defer { server.stop(); sandbox.remove() }
        let web = try WebServer(sandbox, smtpPort: server.port)
        defer { web.stop() }
        try sandbox.registerPeople(Self.recipients)
        // The last people in the queue, whose messages go out last: they unsubscribe while the campaign runs.
        let leaving = ((Self.recipients - Self.unsubscribers + 1)...Self.recipients).map { "p\($0)@example.com" }
        let paths = try leaving.map { try OneClickTests.unsubscribePath(sandbox, $0, "product-news") }
        let id = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])

        // What a worker on another machine is told: the store and the SMTP server across the bridge.
        let environment = ["HERALD_DATABASE": cluster.url(database: database, host: hostAddress), "HERALD_SMTP_URL": "smtp://\(hostAddress):\(server.port)",
                           "HERALD_SMTP_CONNECTIONS": String(Self.connectionsPerWorker), "HERALD_SMTP_RATE": String(Self.rate)]
        let workers = try (0..<3).map { index in
            try sandbox.startHerald(["worker", "--until-idle"], environment: environment, inside: network?.inside(index) ?? [], log: "worker\(index).err")
        }
        defer { workers.forEach { if $0.isRunning { kill($0.processIdentifier, SIGKILL) } } }

        // A third of the way in: the unsubscribes (each answered before we go on), then one worker dies.
        try waitUntil(server, delivered: Self.recipients / 4)
        var answeredAt: [String: Double] = [:]
        for (email, path) in zip(leaving, paths) {
            let answer = try web.post(path, form: "List-Unsubscribe=One-Click")
            #expect(answer.status == 200, "\(answer)")
            answeredAt[email] = Date().timeIntervalSince1970
        }
        try waitUntil(server, delivered: Self.recipients / 3)
        kill(workers[1].processIdentifier, SIGKILL)
        let killedAt = server.accepted().count
        for worker in workers where worker !== workers[1] { worker.waitUntilExit() }
        workers[1].waitUntilExit()
        for index in [0, 2] {
            let log = (try? String(contentsOf: sandbox.folder.appendingPathComponent("worker\(index).err"), encoding: .utf8)) ?? ""
            #expect(workers[index].terminationStatus == 0, "worker \(index): \(log)")
        }

        let accepted = server.accepted()
        let delivered = accepted.flatMap { $0["rcpt_tos"] as? [String] ?? [] }
        let staying = Set((1...Self.recipients).map { "p\($0)@example.com" }).subtracting(leaving)
        #expect(staying.isSubset(of: Set(delivered)), "\(staying.subtracting(delivered).count) recipients missed")
        let duplicates = delivered.count - Set(delivered).count
        #expect(duplicates <= Self.connectionsPerWorker, "\(duplicates) duplicates; the dead worker had \(Self.connectionsPerWorker) connections")
        // Nobody is mailed once their unsubscribe was answered.
        for message in accepted {
            guard let to = (message["rcpt_tos"] as? [String])?.first, let answered = answeredAt[to], let at = message["at"] as? Double else { continue }
            #expect(at <= answered, "\(to) was mailed \(at - answered) s after their unsubscribe was answered")
        }
        // The rate is the fleet's: the deliveries between the first and the last tenth, against the configured rate.
        let times = accepted.compactMap { $0["at"] as? Double }.sorted()
        let first = times[times.count / 10], last = times[times.count * 9 / 10]
        let measured = Double(times.count * 8 / 10) / (last - first)
        print("fleet (\(network == nil ? "plain processes" : "3 network namespaces")): \(delivered.count) deliveries, \(duplicates) duplicates, "
              + "worker 2 killed after \(killedAt), fleet rate \(String(format: "%.1f", measured))/s for smtp.rate \(Self.rate)")
        #expect(abs(measured - Self.rate) / Self.rate <= 0.05, "fleet rate \(measured)/s, configured \(Self.rate)/s")
        let report = try sandbox.campaignReport(id)
        #expect(report.status == "done" && report.counts["sent"] == staying.count, "\(report)")
    }

    private func waitUntil(_ server: SMTPTestServer, delivered count: Int) throws {
        let deadline = Date().addingTimeInterval(60)
        while server.accepted().count < count {
            guard Date() < deadline else { throw TestFailure("only \(server.accepted().count) of \(count) delivered in time") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}
