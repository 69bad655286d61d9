import ArgumentParser
import Foundation
import Herald
import Store

/// `herald staff`: the console's accounts.
struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Add, remove and list the console's staff accounts.",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console account. The password is asked for on the terminal, or read from standard input's first line.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The staff member's address (their sign-in name).") var email: String
        @Option(help: "marketing (campaigns, templates, counts) or admin (also people, problems, staff, policy).") var role: String

        func validate() throws {
            guard StaffRole(rawValue: role) != nil else { throw ValidationError("--role must be marketing or admin, not '\(role)'") }
        }

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let app = try global.openApp()
                let password = try PasswordPrompt.read(for: email)
                let account = try app.staff.add(email: email, role: StaffRole(rawValue: role) ?? .marketing, password: password)
                Terminal.say("added \(account.email) (\(account.role.rawValue))")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a console account; its sessions end at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The staff member's address.") var email: String

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                try global.openApp().staff.remove(email: email)
                Terminal.say("removed \(email.lowercased()); its sessions are ended")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every console account with its role.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the accounts as JSON.") var json = false

        struct Line: Encodable {
            var email: String
            var role: String
            var createdAt: Date
            enum CodingKeys: String, CodingKey { case email, role, createdAt = "created_at" }
        }

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let accounts = try global.openApp().staff.accounts()
                if json {
                    Terminal.say(Terminal.json(accounts.map { Line(email: $0.email, role: $0.role.rawValue, createdAt: $0.createdAt) }))
                    return
                }
                if accounts.isEmpty { Terminal.say("no staff accounts; add one with herald staff add EMAIL --role admin") }
                for account in accounts { Terminal.say("\(account.email)  \(account.role.rawValue)") }
            }
        }
    }
}

/// The password for a new account: asked twice with the terminal's echo off, or, for scripts, the first line of
/// standard input. Never an argument (it would show in `ps` and shell history).
enum PasswordPrompt {
    static func read(for email: String) throws(HeraldError) -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw HeraldError(.dataError, "no password on standard input (its first line is the password)")
            }
            return line
        }
        let first = try ask("Password for \(email): ")
        let second = try ask("Again: ")
        guard first == second else { throw HeraldError(.dataError, "the two passwords differ; nothing was added") }
        return first
    }

    private static func ask(_ prompt: String) throws(HeraldError) -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw HeraldError(.dataError, "no password given; nothing was added") }
        return line
    }
}
