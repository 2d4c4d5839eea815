import CoreMetrics
import Foundation
import IMSRemote
import IMSService
import IMSStoreGlance
import IMSStorePostgres
import IMSStoreSQLite

/// Builds backends from their `backends:` entries: one factory, one switch over the kinds, so a
/// new kind is one case here (DESIGN §5).
public enum BackendFactory {
    /// Opens the backend `use:` names and each one in `alsoNamed` (the route table's), parts
    /// before the backends made of them, each once; `given` are open already (a backend a test
    /// hands in for `use:`).
    /// `metrics` is where a backend that reports figures of its own (a shadow) records them.
    public static func open(_ config: GatewayConfig, alsoNamed: some Sequence<String> = [],
                            given: [String: any Backend] = [:], metrics: (any MetricsFactory)? = nil) throws -> BackendGraph {
        var opened = given
        let routed = Array(alsoNamed)
        try open([config.use] + routed, config: config, into: &opened, metrics: metrics)
        return BackendGraph(named: opened, defaultName: config.use, config: config, metrics: metrics, served: Set(routed))
    }

    /// Opens each of `names` not in `opened` yet, and what it is made of, into `opened`;
    /// answers the names it opened, in the order it opened them.
    @discardableResult
    public static func open(_ names: some Sequence<String>, config: GatewayConfig, into opened: inout [String: any Backend],
                            metrics: (any MetricsFactory)? = nil) throws -> [String] {
        var new: [String] = []
        for name in try order(config, from: names) where opened[name] == nil {
            opened[name] = try make(name, config: config, opened: opened, metrics: metrics)
            new.append(name)
        }
        return new
    }

    /// The backend an entry describes; the backends it is made of are already in `opened`.
    static func make(_ name: String, config: GatewayConfig, opened: [String: any Backend],
                     metrics: (any MetricsFactory)?) throws -> any Backend {
        guard let entry = config.backends[name] else { throw GatewayStartError(unknown(name, in: config)) }
        switch entry.kind {
        case .sqlite:
            return try BundledBackend(path: config.resolve(entry.path), options: config.bundledOptions)
        case .postgres:
            let address = try entry.postgresAddress()
            let dataDirectory = URL(fileURLWithPath: config.resolve(entry.path)).deletingLastPathComponent()
            let files = entry.files.map(config.resolve) ?? dataDirectory.appendingPathComponent("files").path
            let lease = Duration.milliseconds(Int((entry.jobLeaseSeconds ?? 30) * 1000))
            var postgres = PGBackend.Options(address: address, maxConnections: entry.maxConnections ?? 20, files: files, jobLease: lease)
            if let ms = entry.connectTimeoutMs { postgres.connectTimeout = .milliseconds(ms) }
            if let ms = entry.requestTimeoutMs { postgres.requestTimeout = .milliseconds(ms) }
            if let n = entry.minConnections { postgres.minConnections = n }
            if let seconds = entry.keepAliveSeconds, seconds > 0 { postgres.keepAlive = .milliseconds(Int(seconds * 1000)) }
            // Every command answered within the timeout, a stalled database included (`DeadlineBackend`).
            return DeadlineBackend(try PGBackend.make(postgres, options: config.bundledOptions), timeout: postgres.requestTimeout)
        case .remote:
            guard let url = entry.url else { throw GatewayStartError("backends.\(name): kind 'remote' needs url") }
            var options = RemoteBackend.Options(url: url, token: try entry.remoteToken())
            if let ms = entry.connectTimeoutMs { options.connectTimeout = .milliseconds(ms) }
            if let ms = entry.requestTimeoutMs { options.requestTimeout = .milliseconds(ms) }
            if let retries = entry.retries { options.retries = retries }
            return RemoteBackend(options)
        case .glance:
            return try GlanceBackend.make(name, entry, config: config, metrics: metrics)
        case .shadow:
            guard let primary = entry.primary.flatMap({ opened[$0] }), let secondary = entry.secondary.flatMap({ opened[$0] }) else {
                throw GatewayStartError("backends.\(name): kind 'shadow' needs primary and secondary, each a backend of backends:")
            }
            var options = ShadowBackend.Options()
            options.name = name
            if let size = entry.queueSize { options.queueSize = size }
            if let fraction = entry.sampleReads { options.sampleReads = fraction }
            options.rules = entry.diffRules
            let log = try SQLiteShadowLog(path: config.resolve(entry.record ?? entry.defaultRecord(name)),
                                          retention: (entry.retentionDays ?? 7) * 86_400)
            return ShadowBackend(primary: primary, secondary: secondary, log: log, options: options, metrics: metrics)
        }
    }

    /// The backends reachable from `roots`, each after the ones it is made of. Refuses a name
    /// `backends:` does not hold and a backend that is, through its parts, made of itself.
    public static func order(_ config: GatewayConfig, from roots: some Sequence<String>) throws -> [String] {
        var ordered: [String] = []
        var done: Set<String> = []
        func visit(_ name: String, path: [String]) throws {
            if done.contains(name) { return }
            if path.contains(name) {
                throw GatewayStartError("backends: a cycle: " + (path.drop(while: { $0 != name }) + [name]).joined(separator: " → "))
            }
            guard let entry = config.backends[name] else { throw GatewayStartError(unknown(name, in: config)) }
            for part in entry.parts { try visit(part, path: path + [name]) }
            done.insert(name)
            ordered.append(name)
        }
        for root in roots { try visit(root, path: []) }
        return ordered
    }

    static func unknown(_ name: String, in config: GatewayConfig) -> String {
        "no backend named '\(name)' under backends: (known: \(config.backends.keys.sorted().joined(separator: ", ")))"
    }
}
