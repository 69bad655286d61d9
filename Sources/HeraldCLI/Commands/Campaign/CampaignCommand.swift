import ArgumentParser

/// `herald campaign`: one file per subcommand beside this one.
struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Create campaigns and follow them.",
        subcommands: [Create.self, Edit.self, Schedule.self, Duplicate.self, List.self, Show.self, Cancel.self, Retry.self])
}
