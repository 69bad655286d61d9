import ArgumentParser
import Foundation
import Herald
import Rendering

/// `herald templates`: check the catalog before anything is sent, and preview one message.
struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "Check every template, or preview one message in a browser.",
        subcommands: [Check.self, Preview.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lint every template; each problem as file:line: problem; exit 65 if any.",
            discussion: """
                Syntax errors, sections that do not close, missing partials and layouts, values an HTML part does not \
                escape, variables no message has, template.yaml's kind and variables; commercial mail must show the \
                unsubscribe link and the postal address in both parts (a promotion must say it is an advertisement), \
                and a policy-change notice must link to the preferences and carry nothing promotional. Each page, \
                stylesheet and script of pages/ that herald serve loads must be there.
                """)
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the problems as JSON.") var json = false

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let app = try global.openApp()
                // The pages `herald serve` needs are part of the folder too: a folder without them passes no check.
                let problems = app.templateCheck.problems(now: app.clock())
                    + PageCatalog.missing(templates: app.configuration.templates).map { TemplateError(file: $0, problem: "missing; herald serve needs it") }
                if json {
                    Terminal.say(Terminal.json(problems.map { ["file": $0.file, "line": $0.line.map(String.init) ?? "", "problem": $0.problem] }))
                } else {
                    for problem in problems { Terminal.say(problem.description) }
                }
                guard problems.isEmpty else {
                    throw HeraldError(.dataError, "\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(app.configuration.templates)")
                }
                if !json { Terminal.say("templates in \(app.configuration.templates): no problems") }
            }
        }
    }

    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one message's text and HTML to files for a look in a browser.",
            discussion: "Without --to, for a stand-in person with a name and two products. Nothing is sent or recorded.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The template's name.") var name: String
        @Option(help: "A registered person's address: the message as they would get it.") var to: String?
        @Option(help: ArgumentHelp("The folder to write into (default var/preview).", valueName: "dir")) var output = "var/preview"

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let rendered = try global.openApp().previewParts(template: name, email: to)
                do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
                    throw HeraldError(.usage, "--output \(output): cannot create the folder")
                }
                let base = URL(fileURLWithPath: output, isDirectory: true)
                let files = [("\(name).txt", "Subject: \(rendered.subject)\n\n\(rendered.text)"), ("\(name).html", rendered.html)]
                for (file, text) in files {
                    let url = base.appendingPathComponent(file)
                    do { try Data(text.utf8).write(to: url) } catch { throw HeraldError(.usage, "\(url.path): cannot be written") }
                    Terminal.say(url.path)
                }
            }
        }
    }
}
