import Foundation
import Store
import Testing

/// `GET /metrics` in Prometheus text format: with `serve --send` the process that sends counts messages by
/// outcome and times SMTP replies; every `serve` counts unsubscribes by source and reads the outbox's depth, at
/// most every ten seconds. Only for `Authorization: Bearer` `http.metrics_token` (Step 10); without a token
/// configured there is no `/metrics` at all.
@Suite(.serialized)
struct MetricsTests {
    static let token = "integration-METRICS-token-0123456789abcdef"
    /// `http.metrics_token`, as a test's server is started with it.
    static let configured = "  metrics_token: \(token)\n"

    /// `/metrics` with the token, or with this `Authorization` header.
    static func scrape(_ server: WebServer, authorization: String? = "Bearer \(token)") throws -> WebServer.Answer {
        try server.request("GET", "/metrics", headers: authorization.map { ["-H", "Authorization: \($0)"] } ?? [])
    }

    /// `name{labels} value` lines, by series.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func theSendingServerCountsMessagesRepliesUnsubscribesAndDepth() throws {
        let sandbox = try Sandbox()
        let smtp = try SMTPTestServer(spool: sandbox.folder.appendingPathComponent("spool").path, behaviour: ["--reject", "p3@example.com=550"])
        defer { smtp.stop(); sandbox.remove() }
        let server = try WebServer(sandbox, smtpPort: smtp.port, extra: Self.configured, arguments: ["--send"])
        try sandbox.registerPeople(3)
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        var metrics: [String: Double] = [:]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            metrics = Self.samples(try Self.scrape(server).body)
            if metrics["herald_messages_total{outcome=\"sent\"}"] == 2, metrics["herald_messages_total{outcome=\"bounced\"}"] == 1 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(metrics["herald_messages_total{outcome=\"sent\"}"] == 2 && metrics["herald_messages_total{outcome=\"bounced\"}"] == 1, "\(metrics)")
        #expect(metrics["herald_smtp_reply_seconds_count"] == 3 && (metrics["herald_smtp_reply_seconds_sum"] ?? 0) > 0, "\(metrics)")
        #expect(metrics["herald_smtp_reply_seconds_bucket{le=\"+Inf\"}"] == 3)
        let path = try OneClickTests.unsubscribePath(sandbox, "p1@example.com", "product-news")
        #expect(try server.post(path, form: "List-Unsubscribe=One-Click").status == 200)
        var after = try Self.scrape(server)
        #expect(after.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        metrics = Self.samples(after.body)
        #expect(metrics["herald_unsubscribes_total{source=\"one-click\"}"] == 1, "\(metrics)")
        // The outbox's depth is read at most every ten seconds: it may still be the one read while sending.
        let settled = Date().addingTimeInterval(30)
        while metrics["herald_outbox_jobs{state=\"sent\"}"] != 2 || metrics["herald_outbox_jobs{state=\"bounced\"}"] != 1, Date() < settled {
            Thread.sleep(forTimeInterval: 0.5)
            after = try Self.scrape(server)
            metrics = Self.samples(after.body)
        }
        #expect(metrics["herald_outbox_jobs{state=\"sent\"}"] == 2 && metrics["herald_outbox_jobs{state=\"bounced\"}"] == 1
                && metrics["herald_outbox_jobs{state=\"queued\"}"] == 0, "\(metrics)")
        #expect(!after.body.contains("@"), "no address in any label")
        #expect(server.stop() == 0, "SIGTERM stops the server and its worker cleanly: \(server.serverLog())")
    }

    @Test func aServerThatDoesNotSendShowsDepthAndNoSendingSeries() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: Self.configured)
        defer { server.stop(); sandbox.remove() }
        try sandbox.registerPeople(2)
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let metrics = Self.samples(try Self.scrape(server).body)
        #expect(metrics["herald_outbox_jobs{state=\"queued\"}"] == 0 && metrics["herald_outbox_jobs{state=\"sent\"}"] == 0, "\(metrics)")
        #expect(!metrics.keys.contains { $0.hasPrefix("herald_messages_total") || $0.hasPrefix("herald_smtp_reply") }, "\(metrics)")
    }

    @Test func withoutATokenConfiguredThereIsNoMetrics() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        let unknown = try server.get("/no-such-page")
        let metrics = try Self.scrape(server)
        #expect(metrics.status == 404 && unknown.status == 404 && metrics.body == unknown.body, "as any unknown path: \(metrics.body)")
        #expect(try Self.scrape(server, authorization: nil).status == 404)
    }

    @Test func onlyTheRightTokenScrapesAndTheOutboxIsReadAtMostEveryTenSeconds() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: Self.configured)
        defer { server.stop(); sandbox.remove() }
        for authorization in [nil, "Bearer wrong-token-of-some-length-0123456789", "Bearer \(Self.token)x", "Basic \(Self.token)", "Bearer"] {
            let refused = try Self.scrape(server, authorization: authorization)
            #expect(refused.status == 401 && refused.headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(authorization ?? "none")")
            #expect(!refused.body.contains("herald_"), "nothing counted leaks with a 401")
        }
        try sandbox.registerPeople(3)
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let first = try Self.scrape(server), firstAt = Date()
        #expect(first.status == 200 && first.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let before = Self.samples(first.body)
        #expect(OutboxState.allCases.allSatisfy { before["herald_outbox_jobs{state=\"\($0.rawValue)\"}"] == 0 }, "every state's gauge: \(before)")

        // Sending changes the outbox; scrapes within ten seconds of the last read (many at once, too) show the
        // value read then, and a later one the new depth.
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let burst = try (0..<8).map { _ in try Self.scrape(server) }
        if Date().timeIntervalSince(firstAt) < 8 {
            #expect(burst.allSatisfy { $0.status == 200 && Self.samples($0.body)["herald_outbox_jobs{state=\"sent\"}"] == 0 }, "cached")
        }
        var depth = before
        let deadline = Date().addingTimeInterval(30)
        while depth["herald_outbox_jobs{state=\"sent\"}"] != 3, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            depth = Self.samples(try Self.scrape(server).body)
        }
        #expect(depth["herald_outbox_jobs{state=\"sent\"}"] == 3 && depth["herald_outbox_jobs{state=\"queued\"}"] == 0, "\(depth)")
        #expect(Date().timeIntervalSince(firstAt) >= 9.5, "not read again before ten seconds had passed")
    }

    /// A registration past a limit gets the same page as any other, and only the counter says it happened.
    @Test func registrationsPastALimitAreCountedByLimit() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let server = try WebServer(sandbox, extra: Self.configured + "register:\n  limits:\n    per_mailbox: 1\n")
        defer { server.stop() }
        var pages: Set<String> = []
        for address in ["ada%40example.com", "ada%2Bnews%40example.com", "ada%2Bshop%40example.com"] {
            let answer = try server.post("/register", form: "email=\(address)&birthdate=1990-04-01&purposes=product-news")
            #expect(answer.status == 200)
            pages.insert(answer.body)
        }
        #expect(pages.count == 1, "the same page whether or not a limit was reached")
        let metrics = Self.samples(try Self.scrape(server).body)
        #expect(metrics["herald_registrations_limited_total{limit=\"mailbox\"}"] == 2, "\(metrics.filter { $0.key.hasPrefix("herald_reg") })")
    }
}
