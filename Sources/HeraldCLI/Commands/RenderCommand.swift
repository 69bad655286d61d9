import ArgumentParser
import Foundation
import Herald

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the exact message a campaign with this template would send to a registered person, signed.",
        discussion: "Nothing is sent or recorded. The output is the message as SMTP would carry it, with CRLF line ends.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The template's name (a folder in the templates directory).") var template: String
    @Option(help: "A registered person's address.") var to: String

    func run() throws {
        try Terminal.run { () throws(HeraldError) in
            let bytes = try global.openApp().preview(template: template, email: to)
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}
