import ArgumentParser
import Foundation
import Herald

extension ApiTokensCommand {
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a token; the API refuses it at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The token's name.") var name: String

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                try global.openApp().apiTokens.remove(name: name)
                Terminal.say("removed API token \(name.lowercased())")
            }
        }
    }
}
