import Dialects
import Foundation
@testable import GatewayHTTP
import HummingbirdTesting

/// A gateway as `serve --config FILE` builds it, with its reloadable parts at hand: the test
/// reloads them where an operator would send SIGHUP (a signal would reach every test's gateway).
func withReloadable<T: Sendable>(_ config: GatewayConfig, path: String,
                                 _ body: @Sendable (GatewayClient, LiveConfig) async throws -> T) async throws -> T {
    let parts = GatewayParts(dialects: Dialects.all)
    let live = try makeLiveConfig(config, parts: parts, configPath: path)
    let app = try buildApplication(config, parts: parts, logger: TestGateway.quietLogger, live: live)
    return try await app.test(.router) { raw in try await body(GatewayClient(client: raw), live) }
}
