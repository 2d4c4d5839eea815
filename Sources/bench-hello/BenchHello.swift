import GatewayHTTP
import Hummingbird

/// The framework's limit for `bench/run`: the smallest Hummingbird 2 server, on the same
/// machine, build and load generator as the gateway.
@main
struct BenchHello {
    struct Small: ResponseEncodable {
        var id: Int
        var name: String
    }

    static func main() async throws {
        let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 8090
        // The same event loops and executor as the gateway's, so the two are compared like for
        // like (`bench-hello PORT --no-event-loop-executor` for the framework's default).
        EventLoopCount.apply()
        if !CommandLine.arguments.contains("--no-event-loop-executor") { EventLoopExecutor.install() }
        let router = Router()
        router.get("/") { _, _ in "Hello, world!" }
        router.get("/json") { _, _ in Small(id: 1, name: "centos-9") }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
