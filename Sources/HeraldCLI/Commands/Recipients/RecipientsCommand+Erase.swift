import ArgumentParser
import Foundation
import Herald

extension RecipientsCommand {
    struct Erase: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the person and everything about them; only a keyed hash stays, so they stay suppressed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person's email address.") var email: String

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                try global.openApp().personData.erase(email: email)
                Terminal.say("erased; the address is kept only as a keyed hash in the suppression list")
            }
        }
    }
}
