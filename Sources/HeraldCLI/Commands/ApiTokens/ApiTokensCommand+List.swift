import ArgumentParser
import Foundation
import Herald

extension ApiTokensCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tokens' names, when each was made and last used; never a token.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the tokens as JSON.") var json = false

        struct Line: Encodable {
            var name: String
            var createdAt: Date?
            var lastUsedAt: Date?
            /// `database` (made by `herald api-tokens add`) or `configuration` (`http.admin_token`).
            var from: String
        }

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let app = try global.openApp()
                var lines = try app.apiTokens.list().map { Line(name: $0.name, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt, from: "database") }
                if app.configuration.http.adminToken != nil {
                    lines.insert(Line(name: ApiTokenService.configName, createdAt: nil, lastUsedAt: nil, from: "configuration"), at: 0)
                }
                if json { return Terminal.say(Terminal.json(lines)) }
                if lines.isEmpty { Terminal.say("no API tokens; add one with herald api-tokens add NAME") }
                let formatter = ISO8601DateFormatter()
                for line in lines {
                    guard line.from == "database" else {
                        Terminal.say("\(line.name)  (http.admin_token in the configuration)")
                        continue
                    }
                    let made = line.createdAt.map(formatter.string) ?? "-"
                    Terminal.say("\(line.name)  made \(made)  last used \(line.lastUsedAt.map(formatter.string) ?? "never")")
                }
            }
        }
    }
}
