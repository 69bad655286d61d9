import ArgumentParser
import Foundation
import Herald

extension RecipientsCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print everything stored about one person as JSON (an access request), consent ledger included.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person's email address.") var email: String

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                Terminal.say(Terminal.json(try global.openApp().personData.export(email: email)))
            }
        }
    }
}
