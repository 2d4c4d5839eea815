import Foundation
@testable import GatewayCore
import Hummingbird
import HummingbirdTesting
import Testing

/// A service behind its canonical API on a real socket, and a `RemoteBackend` before it: what
/// a front gateway (`kind: remote`) and the gateway it uses make, without the dialects.
enum CanonicalPair {
    static let token = "replay-token"

    static func run<T: Sendable>(_ service: GatewayService, _ body: @escaping @Sendable (RemoteBackend) async throws -> T) async throws -> T {
        var config = GatewayConfig.CanonicalAPIConfig()
        config.tokens = [ServiceToken(sha256: Secrets.sha256Hex(token), tenants: ["*"], operator: true)]
        let router = Router(context: GatewayRequestContext.self)
        CanonicalAPI(backend: service, config: config).add(to: router)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              logger: TestGateway.quietLogger)
        return try await app.test(.live) { client in
            var options = RemoteBackend.Options(url: "http://127.0.0.1:\(try #require(client.port))", token: token)
            options.requestTimeout = .seconds(60)
            let front = RemoteBackend(options)
            do {
                let answer = try await body(front)
                try await front.client.shutdown()
                return answer
            } catch {
                try? await front.client.shutdown()
                throw error
            }
        }
    }
}
