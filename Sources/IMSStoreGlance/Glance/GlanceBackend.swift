import AsyncHTTPClient
import CoreMetrics
import Foundation
import IMSFiles
import IMSModel
import IMSService
import Logging
import NIOCore
import ServiceLifecycle

/// A gateway whose images live in OpenStack Glance (a `backends:` entry of kind `glance`):
///
/// ```yaml
/// backends:
///   pg:     {kind: postgres, url_env: IMS_PG_URL, files: /srv/ims/staging}
///   glance: {kind: glance, url: http://127.0.0.1:9292, index: pg, projects: {acme: 5f3c…}}
/// use: glance
/// ```
/// Glance holds each image's metadata (`GlanceFields`, the one table) and its bytes. The index
/// — the SQL store of the entry `index` names, opened for this entry — holds what Glance cannot:
/// integer row ids and `img-` refs, a copy of every image's metadata for totals, offsets,
/// substring search and every dialect's filters and order, the default passwords, and all the
/// rest (applications, instances, jobs, catalogue, directory, shares — made Glance members
/// too — upload records). Its
/// `files` folder only stages bytes on their way to Glance.
///
/// Authoritative: the index for the gateway's own writes (committed there first, Glance kept in
/// step after: `GlanceMirror`); Glance for bytes, their size and hashes. Images made in Glance
/// directly are not seen until a sync (`ims-gateway glance sync`, `GlanceSync`).
///
/// The index arrives as a backend that reports its stores (`BackendCapabilities.records`: the
/// SQLite and PostgreSQL backends do), so this target knows no concrete store and no config;
/// GatewayHTTP reads the entry and opens the index for it (`GlanceBackend+Config`).
public enum GlanceBackend {
    /// A glance entry's settings, read from its config by the gateway.
    public struct Options: Sendable {
        /// Glance's base URL (`http://127.0.0.1:9292`).
        public var url: String
        /// How long one call to Glance may take, in milliseconds.
        public var requestTimeoutMs = 30_000
        /// Who the gateway is in Glance: an admin (it sets owners and enforces tenancy itself).
        public var caller = GlanceCaller(userId: "ims-gateway", projectId: "ims-gateway", roles: ["admin", "member", "reader"])
        /// The Glance project of each canonical tenant (a tenant not listed is the project of its own name).
        public var projects: [String: String] = [:]
        /// This deployment's images in a Glance others use too (see `GlanceMirror.namespace`).
        public var namespace = ""
        /// The folder bytes are staged in on their way to Glance (the index's `files`).
        public var staging: String
        /// Where exports are written (their buckets).
        public var exportRoot: String
        /// How long a claimed job is this gateway's (the index entry's `job_lease_seconds`).
        public var jobLease: Duration = .seconds(30)
        /// `sync_interval_seconds`: how often `serve` runs the sync (`GlanceSyncSchedule`); nil: never.
        public var syncInterval: Duration?
        /// `sync_filters`: Glance list filters limiting the scheduled sync (e.g. `owner`).
        public var syncFilters: [String: String] = [:]
        /// `keystone`: Keystone's URL and an application credential per Glance project the
        /// gateway acts as; nil: the trusted headers (no Keystone).
        public var keystone: (url: String, credentials: [String: ApplicationCredential])?

        public init(url: String, staging: String, exportRoot: String) {
            self.url = url
            self.staging = staging
            self.exportRoot = exportRoot
        }
    }

    /// An index that reports no stores: only a SQL backend (sqlite, postgres) can be one.
    public struct NoStores: Error, CustomStringConvertible {
        public var description: String { "a glance index must be a backend that reports its stores (sqlite or postgres)" }
    }

    /// The glance backend over `index`, whose job worker is not run: this backend's worker runs
    /// the jobs, through the stores that keep Glance in step.
    public static func make(index: any Backend, _ options: Options, service: BundledOptions,
                            metrics: (any MetricsFactory)? = nil) throws -> GatewayService {
        let opened = try open(index: index, options)
        let glance = opened.mirror.glance
        let caller = opened.mirror.caller
        let http = opened.http
        // Last: a service group stops services in reverse order, so a sync under way ends
        // before the HTTP client it uses closes.
        var services: [any Service] = opened.storeServices + [AtShutdown { try await http.shutdown() }]
        if let interval = options.syncInterval {
            services.append(syncSchedule(opened, every: interval, filters: options.syncFilters, metrics: metrics))
        }
        return GatewayService(stores: opened.stores, options: service, storeServices: services,
                              jobLease: options.jobLease,
                              readiness: {
                                  if let why = await index.unreadiness() { return why }
                                  do {
                                      _ = try await glance.list(limit: 1, as: caller)
                                      return nil
                                  } catch {
                                      return "Glance unreachable"
                                  }
                              })
    }

    /// What a glance entry is made of, before it becomes a service.
    struct Opened {
        var stores: Stores
        /// The index's own stores, unwrapped.
        var index: Stores
        var mirror: GlanceMirror
        var http: HTTPClient
        /// The index's stores' background work (not its job worker).
        var storeServices: [any Service]
    }

    static func open(index: any Backend, _ options: Options) throws -> Opened {
        guard let records = index.capabilities.records else { throw NoStores() }
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(2), read: .milliseconds(Int64(options.requestTimeoutMs)))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let staging = try LocalFileStore(root: options.staging, exportRoot: options.exportRoot)
        let auth = options.keystone.map { GlanceAuth.keystone(KeystoneTokens(url: $0.url, credentials: $0.credentials, http: http)) }
        let (stores, mirror) = glanceStores(over: records.stores, url: options.url, http: http,
                                            projects: GlanceFields.Projects(options.projects), caller: options.caller,
                                            staging: staging, namespace: options.namespace, auth: auth ?? .trustedHeaders)
        Logger(label: "ims-gateway.glance").info("backend: glance", metadata: [
            "glance": .string(options.url), "auth": .string(options.keystone.map { "keystone " + $0.url } ?? "trusted headers"),
        ])
        return Opened(stores: stores, index: records.stores, mirror: mirror, http: http, storeServices: records.services)
    }

    /// `ims-gateway glance sync`: brings the images made in Glance directly into `index`
    /// (`GlanceSync`), its stores' services running for the while.
    public static func sync(index: any Backend, _ options: Options, filters: [String: String] = [:]) async throws -> GlanceSyncReport {
        let opened = try open(index: index, options)
        let report = try await withThrowingTaskGroup(of: Void.self) { group in
            for service in opened.storeServices { group.addTask { try await service.run() } }
            do {
                let report = try await GlanceSync(mirror: opened.mirror, uploads: opened.index.uploads, mint: Mint(), filters: filters).run()
                group.cancelAll()
                return report
            } catch {
                group.cancelAll()
                throw error
            }
        }
        try await opened.http.shutdown()
        return report
    }

    /// The sync every `interval`, under the index's lease of this deployment's Glance images
    /// (one per namespace: deployments sharing a Glance sync their own).
    static func syncSchedule(_ opened: Opened, every interval: Duration, filters: [String: String],
                         metrics: (any MetricsFactory)?) -> GlanceSyncSchedule {
        let (mirror, uploads) = (opened.mirror, opened.index.uploads)
        return GlanceSyncSchedule(name: "glance-sync " + mirror.namespace, interval: interval, leases: opened.index.leases,
                                  metrics: metrics) {
            try await GlanceSync(mirror: mirror, uploads: uploads, mint: Mint(), filters: filters).run()
        }
    }

    /// `index`'s stores with the images, their bytes, and the upload records and jobs that
    /// change images, in Glance; `staging` holds bytes on their way there.
    static func glanceStores(over index: Stores, url: String, http: HTTPClient, projects: GlanceFields.Projects,
                             caller: GlanceCaller, staging: LocalFileStore, namespace: String = "",
                             auth: GlanceAuth = .trustedHeaders) -> (Stores, GlanceMirror) {
        let glance = GlanceClient(url: url, http: http, auth: auth)
        let mirror = GlanceMirror(glance: glance, index: index.images, projects: projects, caller: caller, namespace: namespace)
        var stores = index
        stores.images = GlanceImageStore(index: index.images, mirror: mirror)
        stores.bytes = GlanceFileStore(mirror: mirror, staging: staging)
        stores.uploads = GlanceUploadRecords(index: index.uploads, mirror: mirror)
        stores.jobs = GlanceJobQueue(index: index.jobs, mirror: mirror)
        stores.shares = GlanceShareStore(index: index.shares, directory: index.directory, mirror: mirror)
        return (stores, mirror)
    }
}
