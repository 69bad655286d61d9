import Foundation
import Testing

/// `GET /metrics` in Prometheus text format: with `serve --send` the process that sends counts messages by
/// outcome and times SMTP replies; every `serve` counts unsubscribes by source and reads the outbox's depth.
@Suite(.serialized)
struct MetricsTests {
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
        let server = try WebServer(sandbox, smtpPort: smtp.port, arguments: ["--send"])
        try sandbox.registerPeople(3)
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        var metrics: [String: Double] = [:]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            metrics = Self.samples(try server.get("/metrics").body)
            if metrics["herald_messages_total{outcome=\"sent\"}"] == 2, metrics["herald_messages_total{outcome=\"bounced\"}"] == 1 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(metrics["herald_messages_total{outcome=\"sent\"}"] == 2 && metrics["herald_messages_total{outcome=\"bounced\"}"] == 1, "\(metrics)")
        #expect(metrics["herald_smtp_reply_seconds_count"] == 3 && (metrics["herald_smtp_reply_seconds_sum"] ?? 0) > 0, "\(metrics)")
        #expect(metrics["herald_smtp_reply_seconds_bucket{le=\"+Inf\"}"] == 3)
        let path = try OneClickTests.unsubscribePath(sandbox, "p1@example.com", "product-news")
        #expect(try server.post(path, form: "List-Unsubscribe=One-Click").status == 200)
        let after = try server.get("/metrics")
        #expect(after.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        metrics = Self.samples(after.body)
        #expect(metrics["herald_unsubscribes_total{source=\"one-click\"}"] == 1, "\(metrics)")
        #expect(metrics["herald_outbox_jobs{state=\"sent\"}"] == 2 && metrics["herald_outbox_jobs{state=\"bounced\"}"] == 1
                && metrics["herald_outbox_jobs{state=\"queued\"}"] == 0, "\(metrics)")
        #expect(!after.body.contains("@"), "no address in any label")
        #expect(server.stop() == 0, "SIGTERM stops the server and its worker cleanly: \(server.serverLog())")
    }

    @Test func aServerThatDoesNotSendShowsDepthAndNoSendingSeries() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        try sandbox.registerPeople(2)
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])
        let metrics = Self.samples(try server.get("/metrics").body)
        #expect(metrics["herald_outbox_jobs{state=\"queued\"}"] == 0 && metrics["herald_outbox_jobs{state=\"sent\"}"] == 0, "\(metrics)")
        #expect(!metrics.keys.contains { $0.hasPrefix("herald_messages_total") || $0.hasPrefix("herald_smtp_reply") }, "\(metrics)")
    }
}
