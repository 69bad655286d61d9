import ArgumentParser
import Foundation
import Herald

extension RecipientsCommand {
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
            let summary = try Terminal.run { () throws(HeraldError) in
                let app = try global.openApp()
                let summary = try app.importer.run(path: file, warn: Terminal.warn, reject: { rejection in
                    Terminal.endProgress()
                    FileHandle.standardError.write(Data("herald: \(file):\(rejection.line): \(rejection.reason)\n".utf8))
                }, progress: { progress in
                    let rate = progress.elapsedSeconds > 0 ? Double(progress.rows) / progress.elapsedSeconds : 0
                    Terminal.progress("importing: \(progress.rows) rows (\(Int(progress.fraction * 100))%), \(progress.rejected) rejected, \(Int(rate)) rows/s")
                })
                Terminal.endProgress()
                return summary
            }
            if json {
                Terminal.say(Terminal.json(summary))
            } else {
                let merged = summary.merged > 0 ? ", \(summary.merged) repeated rows merged" : ""
                Terminal.say("imported \(summary.imported) (\(summary.created) new, \(summary.updated) updated, \(summary.unchanged) unchanged\(merged)), rejected \(summary.rejected)")
            }
            if summary.rejected > 0 { throw ExitCode(65) }  // EX_DATAERR: the good rows are kept
        }
    }
}
