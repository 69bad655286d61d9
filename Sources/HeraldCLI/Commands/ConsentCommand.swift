import ArgumentParser
import Herald
import Store

struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Grant or revoke one purpose for one person; each change goes into their consent ledger.",
        subcommands: [Grant.self, Revoke.self])

    struct Arguments: ParsableArguments {
        @Argument(help: "The person's email address.") var email: String
        @Argument(help: "product-news or promotions.") var purpose: String
        @Option(help: "Who or what made the change.") var source: String = "admin"

        func validate() throws {
            do { _ = try Purpose.parse(purpose) } catch { throw ValidationError(error.message) }
        }
    }

    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that the person consents to a purpose.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var arguments: Arguments
        func run() throws { try change(granted: true, global: global, arguments: arguments) }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that the person withdrew consent; it takes effect at once.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var arguments: Arguments
        func run() throws { try change(granted: false, global: global, arguments: arguments) }
    }

    static func change(granted: Bool, global: GlobalOptions, arguments: Arguments) throws {
        try Terminal.run { () throws(HeraldError) in
            let purpose = try Purpose.parse(arguments.purpose)
            let app = try global.openApp()
            let changed = try app.consent.setConsent(email: arguments.email, purpose: purpose, granted: granted, source: arguments.source)
            let verb = granted ? "granted" : "revoked"
            Terminal.say(changed ? "\(purpose.rawValue) \(verb)" : "\(purpose.rawValue) was already \(verb); nothing recorded")
        }
    }
}
