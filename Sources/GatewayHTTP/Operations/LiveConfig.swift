import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import UnixSignals

/// The parts of the config that can change while serving: the dialects, the route table and the
/// credentials. A reload builds them from the file and swaps them in at once; requests already
/// routed keep the table they started with, and a config that does not load leaves the old one
/// serving.
public final class LiveConfig: Sendable {
    /// A class with constant fields: every request reads the current one under the lock, and a
    /// struct of these three was ~15 retains to copy out; a reference is one.
    public final class Snapshot: Sendable {
        public let dialects: DialectRegistry
        public let table: RouteTable
        public let authenticator: Authenticator

        public init(dialects: DialectRegistry, table: RouteTable, authenticator: Authenticator) {
            self.dialects = dialects
            self.table = table
            self.authenticator = authenticator
        }

        /// The compiled dialects plus those the config defines, their routes and credentials.
        public static func make(_ config: GatewayConfig, compiled: [any Dialect], metrics: GatewayMetrics? = nil,
                                reusing previous: Authenticator? = nil) throws -> Snapshot {
            let dialects = try config.dialectRegistry(compiled: compiled)
            let table = try config.routeTable(dialects: dialects)
            for route in table.routes {
                if let name = route.backend, config.backends[name] == nil {
                    throw GatewayStartError("\(route.source): backend '\(name)' is not under backends: (known: \(config.backends.keys.sorted().joined(separator: ", ")))")
                }
            }
            return Snapshot(dialects: dialects, table: table,
                            authenticator: try config.authenticator(dialects: dialects, metrics: metrics, reusing: previous?.cache,
                                                                    replays: previous?.replays))
        }
    }

    private let current: NIOLockedValueBox<Snapshot>
    let path: String?
    let adjust: @Sendable (GatewayConfig) -> GatewayConfig
    let metrics: GatewayMetrics?
    /// The dialects compiled in, which every reload starts from.
    let compiled: [any Dialect]
    /// What must happen before a reloaded table serves (the backends it routes to opened).
    private let prepare = NIOLockedValueBox<(@Sendable (Snapshot) throws -> Void)?>(nil)

    init(_ snapshot: Snapshot, path: String?, compiled: [any Dialect], metrics: GatewayMetrics?,
         adjust: @escaping @Sendable (GatewayConfig) -> GatewayConfig) {
        current = NIOLockedValueBox(snapshot)
        self.path = path
        self.compiled = compiled
        self.metrics = metrics
        self.adjust = adjust
    }

    public var snapshot: Snapshot { current.withLockedValue { $0 } }

    /// Runs `step` on each reloaded snapshot before it serves; a throw rejects the reload.
    func beforeServing(_ step: @escaping @Sendable (Snapshot) throws -> Void) { prepare.withLockedValue { $0 = step } }

    /// Reads the config file again; on success the new routes and credentials serve from the next
    /// request on. Throws (and changes nothing) when the new config is broken.
    ///
    /// The token cache stays open and is emptied: what it remembered was verified against the
    /// old credentials, and an operator who reloads to revoke one expects it refused now, not
    /// after the cache's TTL.
    @discardableResult
    public func reload() throws -> Snapshot {
        guard let path else { throw GatewayStartError("no config file to reload from") }
        let config = adjust(try GatewayConfig.load(path: path))
        // The signatures already accepted stay refused as replays across a reload.
        let previous = snapshot.authenticator
        let cache = previous.cache
        let fresh = try Snapshot.make(config, compiled: compiled, metrics: metrics, reusing: previous)
        try prepare.withLockedValue { $0 }?(fresh)
        current.withLockedValue { $0 = fresh }
        cache?.removeAll()
        return fresh
    }
}

/// Reloads the config on SIGHUP, as nginx and most gateways do.
struct ReloadOnHangup: Service {
    let live: LiveConfig
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                let snapshot = try live.reload()
                logger.notice("config reloaded", metadata: ["routes": .stringConvertible(snapshot.table.routes.count)])
            } catch {
                logger.error("config reload rejected; the previous config keeps serving", metadata: ["error": .string("\(error)")])
            }
        }
    }
}
