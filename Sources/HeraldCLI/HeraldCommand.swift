import ArgumentParser
import Foundation
import Logging

@main
struct HeraldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "A consent-first mailer: product news, promotions and policy notices, with one-click opt-out.",
        subcommands: [
            InitCommand.self,
            DemoCommand.self,
            RecipientsCommand.self,
            ConsentCommand.self,
            SuppressCommand.self,
            CampaignCommand.self,
            SegmentCommand.self,
            PolicyCommand.self,
            StaffCommand.self,
            ApiTokensCommand.self,
            TemplatesCommand.self,
            RenderCommand.self,
            UnsubscribeURLCommand.self,
            WorkerCommand.self,
            ReportCommand.self,
            ServeCommand.self,
            SecretsCommand.self,
        ]
    )

    /// ArgumentParser's own `main`, except that a usage error is one `herald: error:` line like every other
    /// error (exit 64), instead of a message followed by the whole usage text. Help still prints in full.
    static func main() async {
        LoggingSystem.bootstrap { label in TerminalLogHandler(label: label) }
        let arguments = CommandLineArguments.normalized(Array(CommandLine.arguments.dropFirst()))
        if let unknown = CommandLineArguments.unknownCommand(in: arguments, root: "herald", subcommands: subcommandNames) {
            FileHandle.standardError.write(Data("herald: error: \(unknown.message)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode { exit(withError: error) }
            let message = message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("herald: error: \(message) (see --help)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }

    /// The names of the subcommands of the command at `path` (`["herald", "staff"]`), `help` included; empty for
    /// a command that runs; nil for a path that names no command or a command with a default subcommand.
    static func subcommandNames(_ path: [String]) -> [String]? {
        var command: any ParsableCommand.Type = HeraldCommand.self
        for name in path.dropFirst() {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == name }) else { return nil }
            command = next
        }
        guard command.configuration.defaultSubcommand == nil else { return nil }
        let names = command.configuration.subcommands.map { $0._commandName }
        return names.isEmpty ? [] : names + ["help"]
    }
}
