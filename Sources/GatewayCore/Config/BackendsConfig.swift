import Foundation

/// Named backends (`backends:`) and the one in use (`use:`, or `serve --use NAME`):
///
/// ```yaml
/// backends:
///   main:  {kind: sqlite, path: ../data/ims.sqlite}
///   pg:    {kind: postgres, url: postgres://ims@127.0.0.1:5432/ims, password_env: IMS_PG_PASSWORD, files: /srv/ims/files}
///   front: {kind: remote, url: http://127.0.0.1:8081, token: gateway-demo-token}
/// use: main
/// ```
/// The chosen entry becomes `backend` (the single-backend form, which a config may still use
/// alone). Without `use:` (or `--use`), `backend:` is what runs.
public struct BackendEntry: Codable, Sendable {
    /// `sqlite` (alias `bundled`), `postgres` or `remote`.
    public var kind: String
    /// sqlite: the database file.
    public var path: String?
    /// postgres: `postgres://user@host:port/database`; remote: the other gateway's base URL.
    public var url: String?
    public var postgres = PostgresOptions()
    /// remote (see `GatewayConfig.BackendConfig`).
    public var token: String?
    public var connectTimeoutMs: Int?
    public var requestTimeoutMs: Int?
    public var retries: Int?

    enum CodingKeys: String, CodingKey { case kind, path, url, token, connectTimeoutMs, requestTimeoutMs, retries }

    public init(kind: String) { self.kind = kind }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        postgres = try PostgresOptions(from: decoder)
        token = try c.decodeIfPresent(String.self, forKey: .token)
        connectTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .connectTimeoutMs)
        requestTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .requestTimeoutMs)
        retries = try c.decodeIfPresent(Int.self, forKey: .retries)
    }

    /// As the single-backend section.
    var backendConfig: GatewayConfig.BackendConfig {
        var b = GatewayConfig.BackendConfig()
        b.kind = kind
        if let path { b.dataPath = path }
        b.url = url
        b.token = token
        b.connectTimeoutMs = connectTimeoutMs
        b.requestTimeoutMs = requestTimeoutMs
        b.retries = retries
        b.postgres = postgres
        return b
    }
}

/// What a PostgreSQL backend needs beyond its URL. The password is read from the environment
/// (`password_env`), so it is in no file and no log.
public struct PostgresOptions: Codable, Sendable {
    /// A variable holding the whole URL instead of `url` (e.g. what `scripts/postgres url` prints).
    public var urlEnv: String?
    public var passwordEnv: String?
    /// A schema of the database for this deployment's tables (default: the role's first, `public`).
    public var schema: String?
    /// Image bytes: a directory every gateway of the deployment mounts (default: `files/`
    /// beside the config's data path, which only suits a single gateway).
    public var files: String?
    /// Connections this gateway keeps open at most (default 20).
    public var maxConnections: Int?
    /// How long a job claimed by a gateway is its own; past it, another gateway takes the job
    /// over (default 30 s: the claiming gateway renews it while it works).
    public var jobLeaseSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case urlEnv = "url_env", passwordEnv = "password_env", schema, files, maxConnections = "max_connections", jobLeaseSeconds = "job_lease_seconds"
    }

    public init() {}
}

extension GatewayConfig {
    /// Makes the named entry of `backends:` the backend in use.
    public mutating func use(_ name: String) throws {
        guard let entry = backends[name] else {
            let known = backends.keys.sorted().joined(separator: ", ")
            throw GatewayStartError("use: no backend named '\(name)' under backends: (known: \(known.isEmpty ? "none" : known))")
        }
        backend = entry.backendConfig
        use = name
    }

    /// The PostgreSQL address of the backend in use.
    public func postgresAddress() throws -> PGAddress {
        let fromEnv = backend.postgres.urlEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
        guard let url = fromEnv ?? backend.url else {
            throw GatewayStartError("backend kind 'postgres' needs a url (or url_env naming a variable that is set)")
        }
        return try PGAddress(url: url, passwordEnv: backend.postgres.passwordEnv, schema: backend.postgres.schema)
    }
}
