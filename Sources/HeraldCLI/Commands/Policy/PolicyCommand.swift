import ArgumentParser

/// `herald policy`: one file per subcommand beside this one.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Publish privacy-policy versions and notify people of a material change.",
        subcommands: [Publish.self, List.self])
}
