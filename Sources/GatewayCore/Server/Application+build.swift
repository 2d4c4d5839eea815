import Hummingbird
import Logging

/// Everything `buildApplication` needs beyond the config: the dialects (from the Dialects
/// module) and optionally a ready backend (tests inject one).
public struct GatewayParts: Sendable {
    public var dialects: [any Dialect]
    public var backend: (any Backend)?

    public init(dialects: [any Dialect], backend: (any Backend)? = nil) {
        self.dialects = dialects
        self.backend = backend
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
public func buildRouter(_ config: GatewayConfig, parts: GatewayParts, backend: any Backend) throws -> Router<GatewayRequestContext> {
    let table = try config.routeTable()
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: DialectMiddleware(
        table: table,
        dialects: Dictionary(parts.dialects.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
        backend: backend, authenticator: try config.authenticator(), maxBodyBytes: config.maxBodyBytes,
        publicURL: config.publicURL))
    router.get("/healthz") { _, _ in "ok\n" }
    UploadRoutes(backend: backend).add(to: router)
    CanonicalAPI(backend: backend, tokenHashes: Set((config.canonicalApi.tokensSha256 ?? []).map { $0.lowercased() })).add(to: router)
    return router
}

/// The gateway as a Hummingbird application.
public func buildApplication(_ config: GatewayConfig, parts: GatewayParts, logger: Logger? = nil) throws -> some ApplicationProtocol {
    let backend = try parts.backend ?? makeBackend(config)
    let router = try buildRouter(config, parts: parts, backend: backend)
    var log = logger ?? Logger(label: "ims-gateway")
    if logger == nil { log.logLevel = .info }
    return Application(
        router: router,
        configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: "ims-gateway"),
        services: backend.services,
        logger: log)
}
