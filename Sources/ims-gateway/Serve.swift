import ArgumentParser
import Dialects
import GatewayCore
import Hummingbird

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        let app = try buildApplication(config, parts: GatewayParts(dialects: Dialects.all))
        try await app.runService()
    }
}
