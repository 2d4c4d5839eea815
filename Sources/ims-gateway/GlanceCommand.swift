import ArgumentParser
import Foundation
import GatewayHTTP
import IMSStoreGlance

/// Work with a `glance` backend.
struct GlanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glance", abstract: "Work with a backend whose images live in OpenStack Glance.", subcommands: [Sync.self])

    /// Images made in Glance directly, into the index (issue 25).
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring images made in Glance directly into the gateway's index (refs, row ids, lists); print what it did as JSON.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The glance entry of backends: (default: the one use: names).") var backend: String?

        func run() async throws {
            let config = try options.load()
            let report = try await GlanceBackend.sync(backend ?? config.use, config: config)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}
