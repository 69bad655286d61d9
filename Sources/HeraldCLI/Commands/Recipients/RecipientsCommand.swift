import ArgumentParser

/// `herald recipients`: one file per subcommand beside this one.
struct RecipientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipients",
        abstract: "Register people and manage what is stored about them.",
        subcommands: [Add.self, Import.self, Invite.self, Export.self, Erase.self])
}
