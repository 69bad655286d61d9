import ArgumentParser
import Herald
import HeraldHTTP

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service (one-click unsubscribe, preferences, registration, admin API).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let app: HeraldApp
        do { app = try global.openApp() } catch { Terminal.fail(error) }
        do {
            try await HeraldServer(app: app).run()
        } catch let error as HeraldError {
            Terminal.fail(error)
        } catch {
            Terminal.fail(HeraldError(.unavailable, "cannot serve on \(app.configuration.http.listen): \(error)"))
        }
    }
}
