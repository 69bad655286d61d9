import ArgumentParser

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
            WorkerCommand.self,
            ServeCommand.self,
        ]
    )
}
