import Foundation
import IMSService
import IMSStorePostgres

/// One entry of `backends:` (DESIGN §5): a named store the gateway can run commands on.
///
/// ```yaml
/// backends:
///   local: {kind: sqlite, path: ../data/ims.sqlite}
///   pg:    {kind: postgres, url_env: IMS_PG_URL, files: /srv/ims/files}
///   old:   {kind: remote, url: http://127.0.0.1:8081, token_env: IMS_OLD_TOKEN}
/// use: local
/// ```
/// One struct for every kind, as the file has one shape for every entry; `BackendFactory`
/// reads the keys its kind needs and `ConfigCheck` names any a kind does not read.
public struct BackendEntry: Codable, Sendable {
    public var kind: BackendKind
    /// sqlite: the database file (created on first start). postgres: the folder it is in holds
    /// the image bytes unless `files:` says otherwise.
    public var path: String = BackendEntry.defaultPath
    /// postgres: `postgres://user@host:port/database`; remote: the other gateway's base URL.
    public var url: String?
    /// postgres: a variable holding the whole URL instead of `url` (what `scripts/postgres url` prints).
    public var urlEnv: String?
    /// postgres: the password, from the environment, so it is in no file and no log.
    public var passwordEnv: String?
    /// postgres: a schema of the database for this deployment's tables (default: `public`).
    public var schema: String?
    /// postgres: image bytes, a directory every gateway of the deployment mounts (default:
    /// `files/` beside `path`, which only suits gateways on one machine).
    public var files: String?
    /// postgres: connections this gateway keeps open at most (default 20).
    public var maxConnections: Int?
    /// postgres: connections kept open with no demand (default 0), and how often an idle one is
    /// checked with `SELECT 1` (default never: the check's timers cost a quarter of a GET's CPU).
    public var minConnections: Int?
    public var keepAliveSeconds: Double?
    /// postgres: how long a claimed job is the claiming gateway's (default 30 s, renewed while it works).
    public var jobLeaseSeconds: Double?
    /// remote: the service token the other gateway's canonical API accepts, or a variable holding it.
    public var token: String?
    public var tokenEnv: String?
    /// remote, postgres: how long opening a connection may take; how long a command may take
    /// before the client is answered 503 (postgres: default 5000, retries within it included).
    public var connectTimeoutMs: Int?
    public var requestTimeoutMs: Int?
    /// remote: how often a read-only command is tried again after a connection failure.
    public var retries: Int?
    /// shadow: the backend whose answers clients get, and the one compared with it.
    public var primary: String?
    public var secondary: String?
    /// shadow: mirrored commands waiting for the secondary at most (default 10000); beyond,
    /// mirrors are dropped and counted.
    public var queueSize: Int?
    /// shadow: the fraction of reads compared (default 1: every read; writes always are).
    public var sampleReads: Double?
    /// shadow: the SQLite file its findings and counts are kept in (default: `shadow-NAME.sqlite`
    /// beside the config's data folder), and for how long.
    public var record: String?
    public var retentionDays: Double?
    /// shadow: canonical field paths not compared, compared as unordered lists, or compared for
    /// presence only (added to the shipped rules); times within this many ms are equal.
    public var ignore: [String]?
    public var unordered: [String]?
    public var serverAssigned: [String]?
    public var timeToleranceMs: Double?
    /// glance: the sqlite or postgres entry whose store holds everything Glance cannot (see
    /// `GlanceBackend`). It is opened for this entry, not as a backend of its own.
    public var index: String?
    /// glance: the Glance project of each canonical tenant (a tenant not listed is the project
    /// of its own name).
    public var projects: [String: String]?
    /// glance: the project and roles the gateway calls Glance as (default: `ims-gateway`,
    /// `[admin, member, reader]`; it sets owners and enforces tenancy itself).
    public var project: String?
    public var roles: [String]?
    /// glance: a name for this deployment's images when other deployments (or test runs) use
    /// the same Glance: Glance ids derive from it and the `img-` ref, and each image carries it
    /// as `ims_namespace`. Default: none.
    public var namespace: String?
    /// glance: run `glance sync` inside `serve` every this many seconds, one gateway of those
    /// sharing the index at a time (`GlanceSyncSchedule`). Default: never (by hand only).
    public var syncIntervalSeconds: Double?
    /// glance: Glance list filters the scheduled sync keeps to (e.g. `{owner: 5f3c…}`). Default: none.
    public var syncFilters: [String: String]?
    /// glance: Keystone and the application credentials to call Glance with, instead of the
    /// trusted headers (`GlanceKeystoneEntry`). Default: none.
    public var keystone: GlanceKeystoneEntry?

    public static let defaultPath = "./data/ims.sqlite"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, path, url, urlEnv = "url_env", passwordEnv = "password_env", schema, files
        case maxConnections = "max_connections", jobLeaseSeconds = "job_lease_seconds"
        case minConnections = "min_connections", keepAliveSeconds = "keep_alive_seconds"
        case token, tokenEnv = "token_env", connectTimeoutMs = "connect_timeout_ms", requestTimeoutMs = "request_timeout_ms", retries
        case primary, secondary, queueSize = "queue_size", sampleReads = "sample_reads", record, retentionDays = "retention_days"
        case ignore, unordered, serverAssigned = "server_assigned", timeToleranceMs = "time_tolerance_ms"
        case index, projects, project, roles, namespace
        case syncIntervalSeconds = "sync_interval_seconds", syncFilters = "sync_filters", keystone
    }

    public init(kind: BackendKind, path: String = BackendEntry.defaultPath) {
        self.kind = kind
        self.path = path
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(BackendKind.self, forKey: .kind)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? Self.defaultPath
        url = try c.decodeIfPresent(String.self, forKey: .url)
        urlEnv = try c.decodeIfPresent(String.self, forKey: .urlEnv)
        passwordEnv = try c.decodeIfPresent(String.self, forKey: .passwordEnv)
        schema = try c.decodeIfPresent(String.self, forKey: .schema)
        files = try c.decodeIfPresent(String.self, forKey: .files)
        maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections)
        minConnections = try c.decodeIfPresent(Int.self, forKey: .minConnections)
        keepAliveSeconds = try c.decodeIfPresent(Double.self, forKey: .keepAliveSeconds)
        jobLeaseSeconds = try c.decodeIfPresent(Double.self, forKey: .jobLeaseSeconds)
        token = try c.decodeIfPresent(String.self, forKey: .token)
        tokenEnv = try c.decodeIfPresent(String.self, forKey: .tokenEnv)
        connectTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .connectTimeoutMs)
        requestTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .requestTimeoutMs)
        retries = try c.decodeIfPresent(Int.self, forKey: .retries)
        primary = try c.decodeIfPresent(String.self, forKey: .primary)
        secondary = try c.decodeIfPresent(String.self, forKey: .secondary)
        queueSize = try c.decodeIfPresent(Int.self, forKey: .queueSize)
        sampleReads = try c.decodeIfPresent(Double.self, forKey: .sampleReads)
        record = try c.decodeIfPresent(String.self, forKey: .record)
        retentionDays = try c.decodeIfPresent(Double.self, forKey: .retentionDays)
        ignore = try c.decodeIfPresent([String].self, forKey: .ignore)
        unordered = try c.decodeIfPresent([String].self, forKey: .unordered)
        serverAssigned = try c.decodeIfPresent([String].self, forKey: .serverAssigned)
        timeToleranceMs = try c.decodeIfPresent(Double.self, forKey: .timeToleranceMs)
        index = try c.decodeIfPresent(String.self, forKey: .index)
        projects = try c.decodeIfPresent([String: String].self, forKey: .projects)
        project = try c.decodeIfPresent(String.self, forKey: .project)
        roles = try c.decodeIfPresent([String].self, forKey: .roles)
        namespace = try c.decodeIfPresent(String.self, forKey: .namespace)
        syncIntervalSeconds = try c.decodeIfPresent(Double.self, forKey: .syncIntervalSeconds)
        syncFilters = try c.decodeIfPresent([String: String].self, forKey: .syncFilters)
        keystone = try c.decodeIfPresent(GlanceKeystoneEntry.self, forKey: .keystone)
    }

    /// The keys each kind reads; `config check` names any other key in an entry.
    var keysRead: Set<String> {
        let common: Set<CodingKeys> = [.kind]
        let own: Set<CodingKeys> = switch kind {
        case .sqlite: [.path]
        case .postgres: [.path, .url, .urlEnv, .passwordEnv, .schema, .files, .maxConnections, .minConnections, .keepAliveSeconds,
                        .jobLeaseSeconds, .connectTimeoutMs, .requestTimeoutMs]
        case .remote: [.url, .token, .tokenEnv, .connectTimeoutMs, .requestTimeoutMs, .retries]
        case .glance: [.url, .index, .projects, .project, .roles, .namespace, .requestTimeoutMs, .syncIntervalSeconds, .syncFilters,
                       .keystone]
        case .shadow: [.primary, .secondary, .queueSize, .sampleReads, .record, .retentionDays, .ignore, .unordered,
                       .serverAssigned, .timeToleranceMs]
        }
        return Set(common.union(own).map(\.rawValue))
    }

    /// The other backends this one is made of (a wrapper names them), for the graph's order
    /// and its cycle check. A glance entry's index is not one: it is opened for that entry
    /// alone, and its job worker does not run (`GlanceBackend+Config`).
    var parts: [String] {
        switch kind {
        case .sqlite, .postgres, .remote, .glance: []
        case .shadow: [primary, secondary].compactMap { $0 }
        }
    }

    /// Where a shadow named `name` keeps its findings when `record:` does not say.
    func defaultRecord(_ name: String) -> String { "./data/shadow-\(name).sqlite" }

    /// A shadow's comparison rules: the shipped ones with the entry's additions.
    public var diffRules: DiffRules {
        var rules = DiffRules.shipped
        rules.ignore.formUnion(ignore ?? [])
        rules.unordered.formUnion(unordered ?? [])
        rules.serverAssigned.formUnion(serverAssigned ?? [])
        if let timeToleranceMs { rules.timeTolerance = timeToleranceMs / 1000 }
        return rules
    }

    /// The PostgreSQL address of a postgres entry.
    public func postgresAddress() throws -> PGAddress {
        let fromEnv = urlEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
        guard let url = fromEnv ?? url else {
            throw GatewayStartError("backend kind 'postgres' needs url (or url_env naming a variable that is set)")
        }
        return try PGAddress(url: url, passwordEnv: passwordEnv, schema: schema)
    }

    /// A remote entry's service token, from the file or the environment.
    public func remoteToken() throws -> String {
        if let token { return token }
        if let name = tokenEnv, let value = ProcessInfo.processInfo.environment[name], !value.isEmpty { return value }
        throw GatewayStartError("backend kind 'remote' needs token (or token_env naming a variable that is set)")
    }
}
