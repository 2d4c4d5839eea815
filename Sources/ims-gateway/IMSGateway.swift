import ArgumentParser

@main
struct IMSGateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ims-gateway",
        abstract: "Serves four legacy image-management APIs from one canonical image store.",
        subcommands: [Serve.self, ConfigCommand.self, CredentialsCommand.self, Explain.self, ShadowCommand.self, MigrateCommand.self, GlanceCommand.self],
        defaultSubcommand: Serve.self
    )
}
