import ArgumentParser

/// `herald api-tokens`: the admin API's named tokens, one file per subcommand beside this one.
struct ApiTokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-tokens",
        abstract: "Add, list and remove the admin API's named tokens.",
        subcommands: [Add.self, List.self, Remove.self])
}
