import ArgumentParser
import Dialects
import GatewayHTTP
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")

    @OptionGroup var options: ConfigOptions

    enum LogFormat: String, ExpressibleByArgument { case json, text }

    @Option(help: "Log lines as JSON objects (default) or plain text.") var logFormat: LogFormat = .json
    @Option(help: "Lowest level logged: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"
    @Option(help: "Event loop threads (default: the CPUs this process may run on).") var threads: Int?
    @Flag(inversion: .prefixedNo, help: "Run request tasks on the event loops (no thread hop per request).")
    var eventLoopExecutor = true

    func run() async throws {
        EventLoopCount.apply(threads)
        if eventLoopExecutor { EventLoopExecutor.install() }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = logFormat
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let config = try options.load()
        var logger = Logger(label: "ims-gateway")
        logger.logLevel = level
        let app = try buildApplication(config, parts: GatewayParts(dialects: Dialects.all, services: try TraceExport.services(config.tracing)),
                                       logger: logger, configPath: options.resolvedPath())
        // SIGTERM and SIGINT shut down gracefully: requests in flight finish, jobs in hand complete.
        defer { JSONLogHandler.flush() }
        try await app.runService()
    }
}
