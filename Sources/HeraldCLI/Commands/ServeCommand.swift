import ArgumentParser
import Herald
import HeraldHTTP

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service (one-click unsubscribe, preferences, registration, admin API).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let app = try Terminal.run { () throws(HeraldError) in try global.openApp() }
        do {
            try await HeraldServer(app: app).run()
        } catch let error as HeraldError {
            throw Terminal.failure(error)
        } catch {
            throw Terminal.failure(HeraldError(.unavailable, "cannot serve on \(app.configuration.http.listen): \(error)"))
        }
    }
}
