import Hummingbird
import Logging

/// Everything `buildApplication` needs beyond the config: the dialects (from the Dialects
/// module) and optionally a ready backend (tests inject one).
public struct GatewayParts: Sendable {
    public var dialects: [any Dialect]
    public var backend: (any Backend)?
    public var metrics: GatewayMetrics

    public init(dialects: [any Dialect], backend: (any Backend)? = nil, metrics: GatewayMetrics = GatewayMetrics()) {
        self.dialects = dialects
        self.backend = backend
        self.metrics = metrics
    }
}

/// Opens the backend the config names.
public func makeBackend(_ config: GatewayConfig) throws -> any Backend {
    switch config.backend.kind {
    case "bundled":
        return try BundledBackend(path: config.resolve(config.backend.dataPath), options: config.bundledOptions)
    case "remote":
        guard let url = config.backend.url, let token = config.backend.token else {
            throw GatewayStartError("backend kind 'remote' needs backend.url and backend.token")
        }
        var options = RemoteBackend.Options(url: url, token: token)
        if let ms = config.backend.connectTimeoutMs { options.connectTimeout = .milliseconds(ms) }
        if let ms = config.backend.requestTimeoutMs { options.requestTimeout = .milliseconds(ms) }
        if let retries = config.backend.retries { options.retries = retries }
        return RemoteBackend(options)
    default:
        throw GatewayStartError("unknown backend kind '\(config.backend.kind)' (known: bundled, remote)")
    }
}

public struct GatewayStartError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Builds the router: the dialect routes from the route files, plus the gateway's own endpoints.
public func buildRouter(_ config: GatewayConfig, parts: GatewayParts, backend: any Backend, live: LiveConfig) throws -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: IdempotencyKeyMiddleware())
    router.add(middleware: DialectMiddleware(
        live: live,
        dialects: Dictionary(parts.dialects.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
        backend: backend, metrics: parts.metrics, maxBodyBytes: config.maxBodyBytes, publicURL: config.publicURL))
    OperationsRoutes(backend: backend, metrics: parts.metrics, live: live, dialects: parts.dialects).add(to: router)
    UploadRoutes(backend: backend).add(to: router)
    CanonicalAPI(backend: backend, config: config.canonicalApi).add(to: router)
    return router
}

/// The config's reloadable parts, ready to serve.
public func makeLiveConfig(_ config: GatewayConfig, parts: GatewayParts, configPath: String?) throws -> LiveConfig {
    let listen = config.listen, backend = config.backend, auth = config.auth
    return LiveConfig(.init(table: try config.routeTable(), authenticator: try config.authenticator(metrics: parts.metrics)),
                      path: configPath, metrics: parts.metrics) { reloaded in
        // What the process was started with (address, backend, data, cache) does not change on reload.
        var reloaded = reloaded
        reloaded.listen = listen
        reloaded.backend = backend
        reloaded.auth.cachePath = auth.cachePath
        return reloaded
    }
}

/// The gateway as a Hummingbird application. With `configPath`, SIGHUP reloads routes and
/// credentials from that file.
public func buildApplication(_ config: GatewayConfig, parts: GatewayParts, logger: Logger? = nil,
                             configPath: String? = nil, live: LiveConfig? = nil) throws -> some ApplicationProtocol {
    let backend = try parts.backend ?? makeBackend(config)
    let live = try live ?? makeLiveConfig(config, parts: parts, configPath: configPath)
    let router = try buildRouter(config, parts: parts, backend: backend, live: live)
    var log = logger ?? Logger(label: "ims-gateway")
    if logger == nil { log.logLevel = .info }
    var services = backend.services
    if configPath != nil { services.append(ReloadOnHangup(live: live, logger: log)) }
    return Application(
        router: router,
        configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: "ims-gateway"),
        services: services,
        logger: log)
}
