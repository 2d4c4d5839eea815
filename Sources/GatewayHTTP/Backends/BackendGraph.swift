import CoreMetrics
import IMSService
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// The backends a gateway runs on, by their names in `backends:` (DESIGN §5): the one `use:`
/// names and each one a route names. A reload that routes to an entry not yet open opens it
/// then, off any request's path, and starts its background work beside the others'.
public final class BackendGraph: Sendable {
    /// What a route that names no backend runs on (`use:`).
    public let defaultName: String
    public let main: any Backend
    /// Every open backend by name; read under the lock only for routes that name one.
    private let open: NIOLockedValueBox<[String: any Backend]>
    /// The entries, for opening one later (`nil`: a graph handed in whole, which cannot grow).
    private let config: GatewayConfig?
    /// Every backend's services, each backend's in a group of its own so it keeps its order
    /// (a store stops after the worker that uses it); one added later starts at once.
    public let services: ServiceGroup

    /// Where a backend opened later records its figures.
    private let metrics: (any MetricsFactory)?
    /// The backends routes run on (`use:` and those route files name), as opposed to those
    /// open only as parts of others.
    private let served: NIOLockedValueBox<Set<String>>

    public init(named: [String: any Backend], defaultName: String, config: GatewayConfig? = nil,
                metrics: (any MetricsFactory)? = nil, served: Set<String> = []) {
        self.metrics = metrics
        self.served = NIOLockedValueBox(served.union([defaultName]))
        precondition(named[defaultName] != nil, "the default backend is one of the graph's")
        self.defaultName = defaultName
        main = named[defaultName]!
        open = NIOLockedValueBox(named)
        self.config = config
        let logger = Logger(label: "ims-gateway.backends")
        // A group whose services all return ends, and a service that ends stops the server: the
        // keeper holds the group open until shutdown, and a backend without background work
        // (its group returns at once) ends nothing.
        services = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: UntilShutdown(), successTerminationBehavior: .ignore)] + named.keys.sorted().map { Self.serviceConfiguration(named[$0]!, logger: logger) },
            logger: logger))
    }

    /// The backend a route runs on. A route table is opened in the graph before it serves
    /// (`LiveConfig`), so a name is always found; the default stands in if not.
    public func backend(for route: Route) -> any Backend {
        guard let name = route.backend else { return main }
        return open.withLockedValue { $0[name] } ?? main
    }

    public var names: Set<String> { open.withLockedValue { Set($0.keys) } }

    /// Opens each named entry not open yet (parts first) and starts its background work.
    /// Throws, opening nothing more, when an entry is unknown or cannot be opened.
    public func open(_ names: some Sequence<String>) throws {
        served.withLockedValue { $0.formUnion(names) }
        let missing = Set(names).subtracting(self.names)
        guard !missing.isEmpty else { return }
        guard let config else { throw GatewayStartError("backends \(missing.sorted()) are not open and this gateway cannot open more") }
        var opened = open.withLockedValue { $0 }
        let new = try BackendFactory.open(missing.sorted(), config: config, into: &opened, metrics: metrics)
        open.withLockedValue { $0 = opened }
        let logger = Logger(label: "ims-gateway.backends")
        for name in new {
            let added = Self.serviceConfiguration(opened[name]!, logger: logger)
            let services = self.services
            Task { await services.addServiceUnlessShutdown(added) }
            logger.notice("backend opened", metadata: ["backend": .string(name)])
        }
    }

    static func serviceConfiguration(_ backend: any Backend, logger: Logger) -> ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: ServiceGroup(services: backend.services, logger: logger), successTerminationBehavior: .ignore)
    }

    struct UntilShutdown: Service {
        func run() async throws { try? await gracefulShutdown() }
    }

    /// Each open backend's own `unreadiness()` by name (`nil`: ready), for the console, which
    /// shows parts too: a shadow's dead secondary does not make the gateway unready, but an
    /// operator moving routes onto it must see it.
    public func health() async -> [String: String?] {
        let named = open.withLockedValue { $0 }
        var found: [String: String?] = [:]
        for (name, backend) in named { found[name] = .some(await backend.unreadiness()) }
        return found
    }

    /// `nil` when every backend that serves routes can, else which cannot and why. A backend
    /// open only as a part of another is that one's to judge: a shadow is ready when its
    /// primary is, whatever its secondary's state (a down secondary costs comparisons, not
    /// requests).
    public func unreadiness() async -> String? {
        let named = open.withLockedValue { $0 }
        if named.count == 1 { return await main.unreadiness() }
        let parts = Set(named.keys.flatMap { config?.backends[$0]?.parts ?? [] })
        let routed = served.withLockedValue { $0 }
        for name in named.keys.sorted() where !parts.contains(name) || routed.contains(name) {
            if let why = await named[name]!.unreadiness() { return "\(name): \(why)" }
        }
        return nil
    }
}
