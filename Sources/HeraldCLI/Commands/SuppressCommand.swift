import ArgumentParser
import Herald

struct SuppressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppress",
        abstract: "Never mail this address again (only a keyed hash of it is stored).")

    static let reasons = ["unsubscribed-all", "bounced", "complaint", "manual", "erased"]

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address.") var email: String
    @Option(help: "unsubscribed-all, bounced, complaint, manual or erased.") var reason: String = "manual"

    func validate() throws {
        guard Self.reasons.contains(reason) else {
            throw ValidationError("unknown reason '\(reason)'; reasons are \(Self.reasons.joined(separator: ", "))")
        }
    }

    func run() throws {
        try Terminal.run { () throws(HeraldError) in
            let added = try global.openApp().consent.suppress(email: email, reason: reason)
            Terminal.say(added ? "suppressed (\(reason))" : "already suppressed; nothing changed")
        }
    }
}
