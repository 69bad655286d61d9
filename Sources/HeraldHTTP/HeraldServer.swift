import Foundation
import Herald
import Hummingbird
import Logging
import Prometheus
import Store

/// The web face of Herald: what recipients touch and mailbox providers call. Routes as in CONTRACT.md:
/// liveness and metrics, one-click unsubscribe, preferences, registration with its confirmation, and the admin
/// API when `http.admin_token` is set, policy choices, and the staff console under `/console`. No request
/// is logged: the paths carry tokens.
public struct HeraldServer: Sendable {
    let app: HeraldApp
    /// Where the process's swift-metrics land (the CLI bootstraps Prometheus into it); nil: no `/metrics`.
    let metrics: PrometheusCollectorRegistry?

    public init(app: HeraldApp, metrics: PrometheusCollectorRegistry? = nil) {
        self.app = app
        self.metrics = metrics
    }

    public func run() async throws {
        let (host, port) = try Self.listenAddress(app.configuration.http.listen, origin: app.configuration.path)
        if app.configuration.http.adminToken == nil, (try? app.apiTokens.list().isEmpty) ?? true {
            Logger(label: "herald.serve").notice("the admin API is off: add a token with herald api-tokens add NAME (or set http.admin_token) to turn it on")
        }
        let limits = app.configuration.http.limits
        // Each connection is a descriptor: the cap must fit under the open-file limit, or accept fails first.
        if let files = OpenFileLimit.raise(toFit: limits.maxConnections), files < limits.maxConnections + OpenFileLimit.reserve {
            Logger(label: "herald.serve").warning("http.max_connections is \(limits.maxConnections) but only \(files) files may be open; raise the limit (ulimit -n) or lower the cap")
        }
        let server = GuardedHTTP1Channel.builder(
            connections: OpenConnections(limit: limits.maxConnections),
            timeouts: .init(header: .init(limits.headerTimeout), body: .init(limits.bodyTimeout), idle: .init(limits.idleTimeout)))
        // A burst of up to the cap of new connections waits in the kernel's queue (at most net.core.somaxconn)
        // instead of having its SYNs dropped, which costs a client a second before it tries again.
        let configuration = ApplicationConfiguration(address: .hostname(host, port: port), backlog: max(256, limits.maxConnections))
        let publicURL = app.configuration.publicURL
        let application = Application(router: PeerAwareRouter(router: try router()), server: server, configuration: configuration,
                                      onServerRunning: { channel in
                                          Self.announce(host: host, port: channel.localAddress?.port ?? port, publicURL: publicURL)
                                      },
                                      logger: Logger(label: "herald.serve"))
        try await application.runService()
    }

    /// Once listening, where the service and its console are: `serving http://127.0.0.1:8080 — console at
    /// http://127.0.0.1:8080/console`, and the console's address at `public_url` when that is elsewhere.
    static func announce(host: String, port: Int, publicURL: String) {
        let local = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        let elsewhere = base == local ? "" : " (\(base)/console at public_url)"
        Logger(label: "herald.serve").notice("serving \(local) — console at \(local)/console\(elsewhere)")
    }

    func router() throws(HeraldError) -> Router<BasicRequestContext> {
        let pages = try Pages(app: app)
        let stylesheet = try Self.asset("herald.css", templates: app.configuration.templates)
        let script = try Self.asset("console.js", templates: app.configuration.templates)
        let router = Router()
        router.add(middleware: SecurityHeaders())
        // Before every route: past the blocking pool's queue a request is answered 503 at once (see BlockingAdmission).
        router.add(middleware: BusyAnswer(admission: BlockingAdmission(queued: app.configuration.http.limits.maxBlockingQueue)))
        router.get("healthz") { _, _ in "ok\n" }
        // Browsers ask for it on every page; there is none, and a 404 would be noise in their consoles.
        router.get("favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("herald.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: stylesheet)))
        }
        OneClickRoutes(app: app, pages: pages, committer: OneClickCommitter(store: app.store)).add(to: router)
        PreferencesRoutes(app: app, pages: pages).add(to: router)
        RegistrationRoutes(app: app, pages: pages, script: try Self.asset("register.js", templates: app.configuration.templates)).add(to: router)
        PolicyRoutes(app: app, pages: pages).add(to: router)
        ConsoleRoutes(app: app, pages: pages, script: script).add(to: router)
        // No token, no /metrics: it then answers 404 like any unknown path.
        if let metrics, let credential = MetricsCredential(token: app.configuration.http.metricsToken) {
            Self.addMetrics(metrics, credential: credential, app: app, to: router)
        }
        // No token (neither http.admin_token nor one of `herald api-tokens`): /api/* answers 404.
        AdminAPIRoutes(app: app, credential: AdminCredential(configured: app.configuration.http.adminToken, tokens: app.apiTokens)).add(to: router)
        return router
    }

    /// `GET /metrics`, Prometheus text format, with `Authorization: Bearer` `http.metrics_token` only: what this
    /// process counted (messages by outcome and SMTP reply latency when it sends, unsubscribes by source) and the
    /// outbox's depth by state. That depth is a GROUP BY over the whole outbox on the blocking pool, so it is read
    /// at most every ten seconds (a scrape interval is rarely shorter), by one scrape at a time.
    static func addMetrics(_ registry: PrometheusCollectorRegistry, credential: MetricsCredential, app: HeraldApp,
                           to router: Router<BasicRequestContext>) {
        let name = MetricNameDescriptor(namespace: "herald", metricName: "outbox", unitName: "jobs",
                                        helpText: "Outbox jobs in each state, every campaign")  // herald_outbox_jobs
        let depth = OutboxState.allCases.map { state in (state, registry.makeGauge(descriptor: name, labels: [("state", state.rawValue)])) }
        let outbox = ThrottledReading<[OutboxState: Int]>(maximumAge: .seconds(10)) { [app] in
            try? await blocking { [app] in try app.outboxDepth() }
        }
        router.get("metrics") { request, _ in
            guard credential.accepts(authorization: request.headers[.authorization]) else {
                return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"herald\""])
            }
            if let counts = await outbox.value() {
                for (state, gauge) in depth { gauge.set(to: Double(counts[state] ?? 0)) }
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }

    /// A file the pages load (`herald.css`, `console.js`), read once at start from the templates' `pages` folder.
    static func asset(_ name: String, templates: String) throws(HeraldError) -> String {
        let path = URL(fileURLWithPath: templates).appendingPathComponent("pages/\(name)").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HeraldError(.configuration, "\(path): missing; the web face's pages need it")
        }
        return text
    }

    static func listenAddress(_ text: String, origin: String) throws(HeraldError) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw HeraldError(.configuration, "\(origin): http.listen must be host:port, not '\(text)'")
        }
        return (String(text[..<colon]), port)
    }
}
