import ArgumentParser
import Herald

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "path"))
    var config: String = "config/herald.yaml"

    func loadConfiguration() throws(HeraldError) -> HeraldConfiguration {
        let configuration = try ConfigurationLoader.load(path: config)
        TerminalLogHandler.threshold.withLock { $0 = configuration.logLevel }
        return configuration
    }

    func openApp() throws(HeraldError) -> HeraldApp {
        try HeraldApp(configuration: loadConfiguration())
    }
}
