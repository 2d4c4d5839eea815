import ArgumentParser
import GatewayCore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with the deployment config.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the deployment config and its route files.")

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let config = try options.load()
            do {
                let table = try config.routeTable()
                print("ok: \(table.routes.count) routes from \(config.routes.count) route files")
            } catch {
                print("error: \(error)")
                throw ExitCode.failure
            }
        }
    }
}
