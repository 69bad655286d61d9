import ArgumentParser
import Foundation
import Herald

extension ApiTokensCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token for the admin API; it is printed once, on standard output, and only its hash is kept.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Who holds the token (the audit log names its actions api:NAME): letters, digits, '.', '_', '-'.") var name: String

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let (token, secret) = try global.openApp().apiTokens.add(name: name)
                // The token alone on standard output, for a script to capture; the words about it on standard error.
                FileHandle.standardError.write(Data("added API token \(token.name); it is shown only now, keep it in a secret store:\n".utf8))
                Terminal.say(secret)
            }
        }
    }
}
