import ArgumentParser
import Herald
import Store

struct SuppressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppress",
        abstract: "Never mail this address again (only a keyed hash of it is stored).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address.") var email: String
    @Option(help: "Why: \(SuppressionReason.allCases.map(\.rawValue).joined(separator: ", ")).") var reason: String = "manual"

    func validate() throws {
        do { _ = try SuppressionReason.parse(reason) } catch { throw ValidationError(error.message) }
    }

    func run() throws {
        try Terminal.run { () throws(HeraldError) in
            let added = try global.openApp().consent.suppress(email: email, reason: try SuppressionReason.parse(reason))
            Terminal.say(added ? "suppressed (\(reason))" : "already suppressed; nothing changed")
        }
    }
}
