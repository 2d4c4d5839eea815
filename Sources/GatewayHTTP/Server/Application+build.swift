import HTTPTypes
import Hummingbird
import IMSService
import Logging
import NIOCore
import ServiceLifecycle

/// Everything `buildApplication` needs beyond the config: the dialects (from the Dialects
/// module) and optionally a ready backend (tests inject one; it stands for `use:`).
public struct GatewayParts: Sendable {
    public var dialects: [any Dialect]
    public var backend: (any Backend)?
    public var metrics: GatewayMetrics
    /// Run beside the server (a trace exporter, say), started and stopped with it.
    public var services: [any Service]

    public init(dialects: [any Dialect], backend: (any Backend)? = nil, metrics: GatewayMetrics = GatewayMetrics(),
                services: [any Service] = []) {
        self.dialects = dialects
        self.backend = backend
        self.metrics = metrics
        self.services = services
    }
}

public struct GatewayStartError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Builds the router: the dialect routes from the route files, plus the gateway's own endpoints.
/// Uploads (CECSTACK's upload URLs, S3) and the canonical API are served by the `use:` backend.
public func buildRouter(_ config: GatewayConfig, parts: GatewayParts, backends: BackendGraph, live: LiveConfig) throws -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    let backend = backends.main
    router.add(middleware: GatewayFront(s3: S3Middleware(backend: backend), dialects: DialectMiddleware(
        live: live, backends: backends, metrics: parts.metrics, maxBodyBytes: config.maxBodyBytes, publicURL: config.publicURL,
        traced: config.tracing.enabled)))
    OperationsRoutes(backends: backends, metrics: parts.metrics, live: live).add(to: router)
    ConsoleRoutes(config: config, backends: backends, metrics: parts.metrics, live: live).add(to: router)
    UploadRoutes(backend: backend).add(to: router)
    // `/` is Foreman's web UI, which sends a client without a session to its login page (no
    // UI here: python-foreman finds no version there and asks `/api/status`, as on Foreman 3).
    router.get("/") { _, _ in Response(status: .found, headers: [.location: "/users/login"]) }
    CanonicalAPI(backend: backend, config: config.canonicalApi, traced: config.tracing.enabled).add(to: router)
    return router
}

/// How a request the HTTP parser rejected is answered: by the dialect whose territory its path
/// is in, with a malformed-request error; other paths get Hummingbird's bare 400.
func parseErrorRenderer(live: LiveConfig) -> ParseErrorAnswer.Render {
    { path, error in
        let snapshot = live.snapshot
        guard let owner = snapshot.table.owner(of: path), let dialect = snapshot.dialects[owner] else { return nil }
        let route = Route(dialect: owner, method: .get, template: path, operation: .document)
        let answer = dialect.encode(error, for: DialectRequest(route: route, parameters: [:], requestId: RequestIDs.make()))
        var head = HTTPResponse(status: answer.status, headerFields: answer.headers)
        var body = ByteBuffer()
        if let (bytes, contentType) = answer.encoded() {
            body = bytes
            head.headerFields[.contentType] = contentType
        }
        return (head, body)
    }
}

/// The config's reloadable parts, ready to serve.
public func makeLiveConfig(_ config: GatewayConfig, parts: GatewayParts, configPath: String?) throws -> LiveConfig {
    let listen = config.listen, backends = config.backends, use = config.use
    return LiveConfig(try .make(config, compiled: parts.dialects, metrics: parts.metrics),
                      path: configPath, compiled: parts.dialects, metrics: parts.metrics) { reloaded in
        // What the process was started with (address, backends) does not change on reload;
        // routes move between the backends it opened.
        var reloaded = reloaded
        reloaded.listen = listen
        reloaded.backends = backends
        reloaded.use = use
        return reloaded
    }
}

/// The gateway as a Hummingbird application. With `configPath`, SIGHUP reloads routes and
/// credentials from that file.
public func buildApplication(_ config: GatewayConfig, parts: GatewayParts, logger: Logger? = nil,
                             configPath: String? = nil, live: LiveConfig? = nil) throws -> some ApplicationProtocol {
    let live = try live ?? makeLiveConfig(config, parts: parts, configPath: configPath)
    let backends = try openBackends(config, parts: parts, live: live)
    // Signatures are remembered where the deployment's gateways all look: `use:`'s store.
    if let stores = backends.main.capabilities.records?.stores {
        live.snapshot.authenticator.replays.share(through: stores.signatures)
    }
    let router = try buildRouter(config, parts: parts, backends: backends, live: live)
    var log = logger ?? Logger(label: "ims-gateway")
    if logger == nil { log.logLevel = .info }
    var services: [any Service] = parts.services + [backends.services]
    if configPath != nil { services.append(ReloadOnHangup(live: live, logger: log)) }
    let sweep = ConnectionSweep(idle: config.listen.idleTimeout, body: config.listen.bodyReadTimeout)
    services.append(sweep)
    return Application(
        router: router,
        server: .gatewayHTTP1(.init(), render: parseErrorRenderer(live: live), sweep: sweep),
        configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: "ims-gateway"),
        services: services,
        logger: log)
}


/// Opens `use:` and every backend the route table names (an injected backend stands for
/// `use:`); a reload that routes to another entry opens it before its routes serve.
func openBackends(_ config: GatewayConfig, parts: GatewayParts, live: LiveConfig) throws -> BackendGraph {
    let routed = Set(live.snapshot.table.routes.compactMap(\.backend))
    let graph = try BackendFactory.open(config, alsoNamed: routed.sorted(), given: parts.backend.map { [config.use: $0] } ?? [:],
                                        metrics: parts.metrics.factory)
    live.beforeServing { snapshot in try graph.open(snapshot.table.routes.compactMap(\.backend)) }
    return graph
}
