import ArgumentParser
import Dialects
import GatewayCore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with the deployment config.", subcommands: [Check.self])

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
            let routes = try config.routeTable(dialects: config.dialectRegistry(compiled: Dialects.all)).routes.count
            print("ok: \(routes) routes from \(config.routes.count) route files and \(config.dialects.count) dialect files in \(path)")
        }
    }
}
