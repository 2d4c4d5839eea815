import Foundation
import IMSModel
import IMSService
import NIOCore
import Yams

/// The deployment config (`Config/ims-gateway.yaml`). Every value can be overridden by a CLI flag.
public struct GatewayConfig: Decodable, Sendable {
    public struct Listen: Codable, Sendable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        /// A connection between requests, or whose request head is not complete, is closed after this.
        public var idleTimeoutSeconds: Double?
        /// A request body that sends nothing for this long has its connection closed.
        public var bodyReadTimeoutSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case host, port, idleTimeoutSeconds = "idle_timeout_seconds", bodyReadTimeoutSeconds = "body_read_timeout_seconds"
        }

        /// Slow-client bounds: a slowloris holds a connection 30 s at most, not forever.
        public var idleTimeout: TimeAmount { .nanoseconds(Int64((idleTimeoutSeconds ?? 30) * 1e9)) }
        public var bodyReadTimeout: TimeAmount { .nanoseconds(Int64((bodyReadTimeoutSeconds ?? 30) * 1e9)) }
    }

    public struct Auth: Codable, Sendable {
        /// The credentials file (hashed secrets); without one, authentication is off.
        public var credentials: String?
        public var cacheTtlSeconds: Double?
        public var cacheMaxEntries: Int?
        /// Signed requests (HMAC schemes): how far their time may be from the gateway's clock
        /// (default 900 s), and how many accepted signatures are remembered against replay.
        public var signatureWindowSeconds: Double?
        public var replayMaxEntries: Int?

        enum CodingKeys: String, CodingKey {
            case credentials, cacheTtlSeconds = "cache_ttl_seconds", cacheMaxEntries = "cache_max_entries"
            case signatureWindowSeconds = "signature_window_seconds", replayMaxEntries = "replay_max_entries"
        }

        public init() {}
    }

    /// Who may use this gateway's canonical API (`/ims/v1`): other gateways presenting one of
    /// these tokens, each limited to the identities it may assert (`ServiceToken`).
    public struct CanonicalAPIConfig: Codable, Sendable {
        public var tokens: [ServiceToken] = []
        /// How long a mutation's answer is kept under its idempotency key (default 3600), and
        /// how many answers at most (default 50,000; the oldest go first).
        public var idempotencyWindowSeconds: Int?
        public var idempotencyMaxEntries: Int?

        public init() {}

        /// The former unscoped list (`tokensSha256`) is refused rather than guessed at: read as
        /// before it would let one token act as any identity; read as nothing it would fail quietly.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if try decoder.container(keyedBy: Former.self).contains(.tokensSha256) {
                throw DecodingError.dataCorruptedError(forKey: .tokensSha256, in: try decoder.container(keyedBy: Former.self), debugDescription:
                    "canonical_api.tokensSha256 is no longer read: list each token under canonical_api.tokens as {sha256, tenants, operator}")
            }
            tokens = try c.decodeIfPresent([ServiceToken].self, forKey: .tokens) ?? []
            idempotencyWindowSeconds = try c.decodeIfPresent(Int.self, forKey: .idempotencyWindowSeconds)
            idempotencyMaxEntries = try c.decodeIfPresent(Int.self, forKey: .idempotencyMaxEntries)
        }

        enum CodingKeys: String, CodingKey {
            case tokens, idempotencyWindowSeconds = "idempotency_window_seconds", idempotencyMaxEntries = "idempotency_max_entries"
        }

        private enum Former: String, CodingKey { case tokensSha256 }
    }

    public struct Catalog: Codable, Sendable {
        public struct Entry: Codable, Sendable {
            public var id: Int64
            public var name: String
            /// Operating systems (`major`, `minor`, `family`, `description`) and compute resources
            /// (`provider`, `url`), as Foreman describes them.
            public var major, minor, family, description, provider, url: String?

            func entry(_ kind: CatalogEntry.Kind) -> CatalogEntry {
                CatalogEntry(kind: kind, id: id, name: name, major: major ?? "", minor: minor ?? "", family: family ?? "",
                             description: description ?? "", provider: provider ?? "", url: url ?? "", now: Date.wholeMilliseconds())
            }
        }
        public var computeResources: [Entry] = []
        public var operatingsystems: [Entry] = []
        public var architectures: [Entry] = []

        enum CodingKeys: String, CodingKey {
            case computeResources = "compute_resources", operatingsystems, architectures
        }

        public var entries: [CatalogEntry] {
            computeResources.map { $0.entry(.computeResource) } + operatingsystems.map { $0.entry(.operatingsystem) }
                + architectures.map { $0.entry(.architecture) }
        }
    }

    /// People in the directory (instance owners and members, share recipients).
    public struct UserEntry: Codable, Sendable {
        public var id: Int64
        public var username: String
        public var name: String?
        public var mobile: String?
        public var email: String?
        public var type: String?
        public var status: String?
        public var avatarUrl: String?
        public var optionalflavorids: String?
        public var tenant: String?
    }

    /// Imports (CECSTACK `private-images/import`): the hosts the gateway may fetch from.
    public struct Imports: Codable, Sendable {
        /// `host`, `host:port` or `*.domain`; none (the default) refuses every import.
        public var allowedHosts: [String]?

        enum CodingKeys: String, CodingKey { case allowedHosts = "allowed_hosts" }

        public init() {}
    }

    public struct Export: Codable, Sendable {
        /// Folder holding one sub-folder per bucket; by default `buckets/` beside the database.
        public var root: String?
        public var buckets: [Bucket] = []
    }

    public var auth = Auth()
    public var canonicalApi = CanonicalAPIConfig()
    public var tracing = Tracing()
    public var listen = Listen()
    /// The backend graph (DESIGN §5): every backend by name, and the one a route without its
    /// own `backend:` runs on. Without `backends:`, one SQLite file beside the config.
    public var backends: [String: BackendEntry] = [GatewayConfig.defaultBackend: BackendEntry(kind: .sqlite)]
    public var use: String = GatewayConfig.defaultBackend
    public static let defaultBackend = "local"
    /// Route files, relative to the config file's folder.
    public var routes: [String] = []
    /// Dialects defined as data (`Config/dialects/<name>.yaml`), each with its own routes.
    public var dialects: [String] = []
    /// Foreman's parents (compute resources, operating systems, architectures) to seed.
    public var catalog = Catalog()
    /// Largest request body accepted (image bytes travel another way).
    public var maxBodyBytes: Int = 1 << 20
    public var users: [UserEntry] = []
    /// The platform's flavour id for each htaiyun flavour configuration.
    public var flavors: [String: String] = [:]
    public var export = Export()
    public var imports = Imports()
    /// How long a job waits before it starts working, in milliseconds (lets clients watch the states).
    public var jobDelayMs: Int = 0
    /// Base URL clients reach this gateway at (for upload URLs); by default taken from `Host`.
    public var publicURL: String?

    /// Folder relative paths are resolved against.
    public var baseDirectory: String = "."

    enum CodingKeys: String, CodingKey {
        case listen, routes, dialects, catalog, maxBodyBytes = "max_body_bytes", users, flavors, export, imports
        case jobDelayMs = "job_delay_ms", publicURL = "public_url", auth, canonicalApi = "canonical_api"
        case backends, use, tracing
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.decodeIfPresent(Listen.self, forKey: .listen) ?? Listen()
        routes = try c.decodeIfPresent([String].self, forKey: .routes) ?? []
        dialects = try c.decodeIfPresent([String].self, forKey: .dialects) ?? []
        catalog = try c.decodeIfPresent(Catalog.self, forKey: .catalog) ?? Catalog()
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? 1 << 20
        users = try c.decodeIfPresent([UserEntry].self, forKey: .users) ?? []
        flavors = try c.decodeIfPresent([String: String].self, forKey: .flavors) ?? [:]
        export = try c.decodeIfPresent(Export.self, forKey: .export) ?? Export()
        imports = try c.decodeIfPresent(Imports.self, forKey: .imports) ?? Imports()
        jobDelayMs = try c.decodeIfPresent(Int.self, forKey: .jobDelayMs) ?? 0
        publicURL = try c.decodeIfPresent(String.self, forKey: .publicURL)
        auth = try c.decodeIfPresent(Auth.self, forKey: .auth) ?? Auth()
        canonicalApi = try c.decodeIfPresent(CanonicalAPIConfig.self, forKey: .canonicalApi) ?? CanonicalAPIConfig()
        tracing = try c.decodeIfPresent(Tracing.self, forKey: .tracing) ?? Tracing()
        if let named = try c.decodeIfPresent([String: BackendEntry].self, forKey: .backends) {
            backends = named
            guard let chosen = try c.decodeIfPresent(String.self, forKey: .use) ?? (named.count == 1 ? named.keys.first : nil) else {
                throw GatewayStartError("use: names the backend routes run on when they do not name one (backends: has \(named.count))")
            }
            try self.use(chosen)
        } else if let chosen = try c.decodeIfPresent(String.self, forKey: .use) {
            try self.use(chosen)
        }
    }

    /// The credentials alone, for tools that must not touch the running gateway's cache.
    public func authenticatorWithoutCache(dialects: DialectRegistry) throws -> Authenticator {
        guard let file = auth.credentials else { return Authenticator(store: nil, cache: nil) }
        return Authenticator(store: try CredentialStore.load(path: resolve(file), dialects: dialects), cache: nil)
    }

    /// The authenticator the config describes (off when no credentials file is named).
    ///
    /// A reload passes the cache already open: the process keeps one connection to the cache
    /// file, so a reload under load never races a second connection for its lock.
    public func authenticator(dialects: DialectRegistry, metrics: GatewayMetrics? = nil,
                              reusing openCache: TokenCache? = nil, replays: ReplayMemory? = nil) throws -> Authenticator {
        guard let file = auth.credentials else { return Authenticator(store: nil, cache: nil) }
        let store = try CredentialStore.load(path: resolve(file), dialects: dialects)
        let cache = openCache ?? TokenCache(ttl: auth.cacheTtlSeconds ?? 60, maxEntries: auth.cacheMaxEntries ?? 10_000)
        return Authenticator(store: store, cache: cache, metrics: metrics, replays: replays ?? ReplayMemory(maxEntries: auth.replayMaxEntries ?? 100_000),
                             signatureWindow: auth.signatureWindowSeconds ?? 900)
    }

    /// What the bundled store is seeded and set up with.
    public var bundledOptions: BundledOptions {
        let now = Date.wholeMilliseconds()
        return BundledOptions(
            catalog: catalog.entries,
            users: users.map { u in
                User(id: u.id, username: u.username, name: u.name, mobile: u.mobile ?? "", email: u.email ?? "",
                     type: u.type ?? "PERSONAL", status: u.status ?? "ACTIVED", avatarUrl: u.avatarUrl ?? "",
                     optionalFlavorIds: u.optionalflavorids ?? "", tenant: u.tenant ?? "default", now: now)
            },
            flavors: flavors, buckets: export.buckets, exportRoot: export.root.map(resolve), jobDelayMs: jobDelayMs,
            importPolicy: ImportPolicy(allowedHosts: imports.allowedHosts ?? []))
    }

    /// Reads a deployment config; relative paths in it are taken from its folder.
    public static func load(path: String) throws -> GatewayConfig {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try FormerConfig.refuse(text, path: path)
        var config = try YAMLDecoder().decode(GatewayConfig.self, from: text)
        config.baseDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return config
    }

    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
    }

    /// Loads every route file into one table, with the routes dialects declare themselves; each
    /// route file names one of `dialects`.
    public func routeTable(dialects: DialectRegistry) throws(RouteError) -> RouteTable {
        var all: [Route] = []
        for file in routes { all += try RouteFile.load(path: resolve(file), dialects: dialects) }
        all += dialects.all.flatMap(\.routes)
        return try RouteTable(all)
    }
}

extension GatewayConfig {
    /// Makes the named entry of `backends:` the one routes run on when they name none.
    public mutating func use(_ name: String) throws {
        guard backends[name] != nil else {
            let known = backends.keys.sorted().joined(separator: ", ")
            throw GatewayStartError("use: no backend named '\(name)' under backends: (known: \(known.isEmpty ? "none" : known))")
        }
        use = name
    }

    /// The entry routes run on when they name none.
    public var backendInUse: BackendEntry {
        get { backends[use] ?? BackendEntry(kind: .sqlite) }
        set { backends[use] = newValue }
    }
}
