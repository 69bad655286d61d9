import ArgumentParser
import Herald

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the database, or bring its schema up to date. Safe to run again.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Terminal.run { () throws(HeraldError) in
            let app = try global.openApp()
            let migrations = try app.schemaVersions()
            Terminal.say("database \(app.configuration.databaseDescription) is ready (schema: \(migrations.last ?? "none"), \(migrations.count) migrations)")
        }
    }
}
