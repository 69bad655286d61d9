import ArgumentParser
import Foundation
import Herald

struct RecipientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipients",
        abstract: "Register people and manage what is stored about them.",
        subcommands: [Add.self, Import.self, Export.self, Erase.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register one person, or add to their registration.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person's email address.") var email: String
        @Option(help: "Their name, as mail greets them.") var name: String?
        @Option(help: ArgumentHelp("Birth date; under 13 is refused and nothing is stored.", valueName: "YYYY-MM-DD")) var birthdate: String?
        @Option(name: .customLong("product"), help: "A product they registered (repeatable).") var products: [String] = []
        @Option(name: .customLong("consent"), help: "A purpose they consent to: product-news or promotions (repeatable).") var consents: [String] = []
        @Option(help: "Where the registration came from.") var source: String = "admin"

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                var purposes: [Purpose] = []
                for consent in consents { purposes.append(try Purpose.parse(consent)) }
                let app = try global.openApp()
                let result = try app.consent.register(Registration(
                    email: email, name: name, birthdate: birthdate, products: products, consents: purposes, source: source))
                let granted = purposes.map(\.rawValue).joined(separator: ", ")
                Terminal.say("\(result.created ? "registered" : "updated") recipient \(result.recipient.id!)"
                             + (granted.isEmpty ? " (no consents)" : " (consents: \(granted))"))
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register people from a CSV file with an email column and any of name, birthdate, products, consents, source.",
            discussion: """
                Lists (products, consents) are ';'-separated. Each rejected row is reported on standard error as \
                FILE:LINE: reason, and the good rows are kept. Importing the same file again changes nothing. \
                Exits 65 if any row was rejected.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Print the counts as JSON.") var json = false

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let app = try global.openApp()
                let summary = try app.importer.run(path: file, warn: Terminal.warn, reject: { rejection in
                    Terminal.endProgress()
                    FileHandle.standardError.write(Data("herald: \(file):\(rejection.line): \(rejection.reason)\n".utf8))
                }, progress: { progress in
                    let rate = progress.elapsedSeconds > 0 ? Double(progress.rows) / progress.elapsedSeconds : 0
                    Terminal.progress("importing: \(progress.rows) rows (\(Int(progress.fraction * 100))%), \(progress.rejected) rejected, \(Int(rate)) rows/s")
                })
                Terminal.endProgress()
                if json {
                    Terminal.say(Terminal.json(summary))
                } else {
                    Terminal.say("imported \(summary.imported) (\(summary.created) new, \(summary.updated) updated, \(summary.unchanged) unchanged), rejected \(summary.rejected)")
                }
                if summary.rejected > 0 { Foundation.exit(65) }
            }
        }
    }

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
