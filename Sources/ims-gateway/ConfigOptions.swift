import ArgumentParser
import Foundation
import GatewayHTTP

/// The deployment config file plus the flags that override its values.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Deployment config (default: Config/ims-gateway.yaml, found from here or beside the binary).")
    var config: String?

    @Option(name: .long, help: "Address to listen on (overrides listen.host).")
    var host: String?

    @Option(name: .long, help: "Port to listen on; 0 picks a free one (overrides listen.port).")
    var port: Int?

    @Option(name: .long, help: "Which entry of backends: to run on, e.g. a postgres one (overrides use:).")
    var use: String?

    @Option(name: .long, help: "The data file of the backend in use (overrides its path: sqlite's database; postgres keeps files/ beside it).")
    var data: String?

    @Option(name: .long, help: "Largest request body in bytes (overrides max_body_bytes).")
    var maxBodyBytes: Int?

    /// The config file in use.
    func resolvedPath() throws -> String {
        try config ?? Self.defaultConfigPath()
    }

    /// Applies the flags to a freshly loaded config (used again on reload).
    func overriding(_ loaded: GatewayConfig) throws -> GatewayConfig {
        var loaded = loaded
        if let use { try loaded.use(use) }
        if let host { loaded.listen.host = host }
        if let port { loaded.listen.port = port }
        // A path given on the command line is taken from the working directory.
        if let data { loaded.backendInUse.path = URL(fileURLWithPath: data).standardizedFileURL.path }
        if let maxBodyBytes { loaded.maxBodyBytes = maxBodyBytes }
        return loaded
    }

    func load() throws -> GatewayConfig {
        try overriding(try GatewayConfig.load(path: try resolvedPath()))
    }

    /// `Config/ims-gateway.yaml` under the working directory, else beside the checkout the
    /// binary was built in (`.build/<config>/ims-gateway`).
    static func defaultConfigPath() throws -> String {
        let relative = "Config/ims-gateway.yaml"
        var candidates = [FileManager.default.currentDirectoryPath + "/" + relative]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent(relative).path)
            dir.deleteLastPathComponent()
        }
        guard let found = candidates.first(where: FileManager.default.fileExists(atPath:)) else {
            throw ValidationError("no config found (looked for \(relative)); pass --config FILE")
        }
        return found
    }
}
