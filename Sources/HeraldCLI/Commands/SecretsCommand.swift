import ArgumentParser
import Foundation
import Herald

struct SecretsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "Make Herald's secrets.",
        subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fresh random secrets, one per job, as an environment file (HERALD_TOKENS_KEYS and the rest).",
            discussion: """
                `herald serve` and `herald worker` refuse the example secrets in config/herald.yaml. Load the file \
                into their environment (systemd's EnvironmentFile=, or `set -a; . FILE; set +a`). With --output the \
                file is created with mode 0600 and never overwritten; without it the secrets go to standard output.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Write the secrets to this new file (mode 0600).", valueName: "file")) var output: String?

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let text = SecretsGenerator.environmentFile(SecretsGenerator.entries())
                guard let output else { return FileHandle.standardOutput.write(Data(text.utf8)) }
                try SecretsGenerator.write(text, to: output)
                FileHandle.standardError.write(Data("herald: wrote \(output) (mode 0600): load it into the environment of herald serve and herald worker\n".utf8))
            }
        }
    }
}
