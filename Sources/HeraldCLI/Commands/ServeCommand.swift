import ArgumentParser
import Foundation
import Herald
import HeraldHTTP
import Metrics
import Prometheus

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service (one-click unsubscribe, preferences, admin API, metrics).",
        discussion: """
            With --send the same process also runs the worker (as `herald worker` would), so that its /metrics \
            include messages by outcome and SMTP reply latency. SIGTERM or SIGINT stops both: the worker \
            finishes the messages in flight.
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Also send: run the outbox worker in this process.") var send = false

    func run() async throws {
        let app = try Terminal.run { () throws(HeraldError) in
            let configuration = try global.loadConfiguration()
            try SecretsCheck.check(configuration, for: .serve)
            return try HeraldApp(configuration: configuration)
        }
        DatabaseFileCheck.warn(app.configuration, label: "herald.serve")
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // SMTP replies on a LAN take a millisecond or two; the default buckets start at 5 ms.
        factory.durationHistogramBuckets[HeraldMetrics.smtpReplyName] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000]
            .map { Duration.milliseconds($0) }
        MetricsSystem.bootstrap(factory)
        let sending = try send ? Terminal.run { () throws(HeraldError) in try BackgroundWorker(app.worker()) } : nil
        defer { sending?.stop() }
        do {
            try await HeraldServer(app: app, metrics: registry).run()
        } catch let error as HeraldError {
            throw Terminal.failure(error)
        } catch {
            throw Terminal.failure(HeraldError(.unavailable, "cannot serve on \(app.configuration.http.listen): \(error)"))
        }
        if let failure = sending?.stop() { throw Terminal.failure(failure) }
    }
}

/// The outbox worker on a thread of its own beside the server, until the server stops.
final class BackgroundWorker: @unchecked Sendable {
    private let worker: OutboxWorker
    private let finished = DispatchSemaphore(value: 0)
    private var failure: HeraldError?
    private var stopped = false

    init(_ worker: OutboxWorker) {
        self.worker = worker
        let thread = Thread { [self] in
            do { _ = try worker.run(untilIdle: false) } catch let error as HeraldError { failure = error } catch { failure = HeraldError(.software, "\(error)") }
            finished.signal()
        }
        thread.name = "herald-worker"
        thread.start()
    }

    /// Asks the worker to finish what is in flight, waits for it, and gives its failure if it had one.
    @discardableResult
    func stop() -> HeraldError? {
        guard !stopped else { return failure }
        stopped = true
        worker.requestStop()
        finished.wait()
        return failure
    }
}
