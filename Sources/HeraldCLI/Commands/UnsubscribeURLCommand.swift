import ArgumentParser
import Herald
import Store

struct UnsubscribeURLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unsubscribe-url",
        abstract: "Print a registered person's signed one-click unsubscribe URL.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A registered person's address.") var email: String
    @Option(help: "product-news or promotions.") var purpose: String = "promotions"

    func run() throws {
        try Terminal.run { () throws(HeraldError) in
            let purpose = try Purpose.parse(purpose)
            Terminal.say(try global.openApp().unsubscribeURL(email: email, purpose: purpose))
        }
    }
}
