import Herald
import Hummingbird
import Logging

/// The web face of Herald. Routes are added as the capabilities behind them land; for now it answers
/// liveness, so deployments can wire their health checks.
public struct HeraldServer: Sendable {
    let app: HeraldApp

    public init(app: HeraldApp) {
        self.app = app
    }

    public func run() async throws {
        let (host, port) = try Self.listenAddress(app.configuration.http.listen, origin: app.configuration.path)
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        // No request logging: the paths carry unsubscribe and confirmation tokens.
        let application = Application(router: router, configuration: .init(address: .hostname(host, port: port)),
                                      logger: Logger(label: "herald.serve"))
        try await application.runService()
    }

    static func listenAddress(_ text: String, origin: String) throws(HeraldError) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw HeraldError(.configuration, "\(origin): http.listen must be host:port, not '\(text)'")
        }
        return (String(text[..<colon]), port)
    }
}
