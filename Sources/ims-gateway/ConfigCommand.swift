import ArgumentParser
import Dialects
import GatewayHTTP

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with the deployment config.", subcommands: [Check.self, Upgrade.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the deployment config, its route files and its dialect files.")

        @Argument(help: "The deployment config (default: Config/ims-gateway.yaml).") var file: String?

        func run() throws {
            let path = try file ?? ConfigOptions.defaultConfigPath()
            let problems = ConfigCheck.run(path: path, compiled: Dialects.all)
            for problem in problems { print(problem) }
            guard problems.isEmpty else {
                print("\(problems.count) problem\(problems.count == 1 ? "" : "s") found")
                throw ExitCode.failure
            }
            let config = try GatewayConfig.load(path: path)
            let table = try config.routeTable(dialects: config.dialectRegistry(compiled: Dialects.all))
            for line in ConfigCheck.describe(config, table: table) { print(line) }
            print("ok: \(table.routes.count) routes from \(config.routes.count) route files and \(config.dialects.count) dialect files in \(path)")
        }
    }

    struct Upgrade: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a config written in a former form (backend:, camelCase keys) in the current one.",
            discussion: "Comments and layout are kept; the file itself is not changed.")

        @Argument(help: "The deployment config to read.") var file: String

        func run() throws {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            print(FormerConfig.upgrade(text), terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}
