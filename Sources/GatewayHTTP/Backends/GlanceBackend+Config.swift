import CoreMetrics
import Foundation
import IMSService
import IMSStoreGlance

/// A `glance` entry read from the config: the store target knows neither the config nor the
/// concrete SQL backends, so its index is opened here and handed over as a backend that reports
/// its stores (`BackendCapabilities.records`).
extension GlanceBackend {
    public static func make(_ name: String, _ entry: BackendEntry, config: GatewayConfig,
                            metrics: (any MetricsFactory)? = nil) throws -> GatewayService {
        let (index, options) = try indexAndOptions(name, entry, config: config)
        return try make(index: index, options, service: config.bundledOptions, metrics: metrics)
    }

    /// `ims-gateway glance sync`: brings the images made in Glance directly into the index of
    /// the glance entry `name`, its stores open for the while.
    public static func sync(_ name: String, config: GatewayConfig, filters: [String: String] = [:]) async throws -> GlanceSyncReport {
        guard let entry = config.backends[name], entry.kind == .glance else {
            throw GatewayStartError("no glance entry named '\(name)' under backends:")
        }
        let (index, options) = try indexAndOptions(name, entry, config: config)
        return try await sync(index: index, options, filters: filters)
    }

    /// The index entry opened for this glance entry alone (not as a backend of the graph: its
    /// own job worker would run jobs on the unwrapped stores, and Glance would not hear of
    /// them), and the entry's settings.
    static func indexAndOptions(_ name: String, _ entry: BackendEntry,
                                config: GatewayConfig) throws -> (index: any Backend, options: Options) {
        guard let url = entry.url else { throw GatewayStartError("backends.\(name): kind 'glance' needs url (Glance's base URL)") }
        guard let indexName = entry.index else {
            throw GatewayStartError("backends.\(name): kind 'glance' needs index (a sqlite or postgres entry for what Glance cannot hold)")
        }
        guard let indexEntry = config.backends[indexName] else { throw GatewayStartError(BackendFactory.unknown(indexName, in: config)) }
        switch indexEntry.kind {
        case .sqlite, .postgres: break
        case .remote, .shadow, .glance:
            throw GatewayStartError("backends.\(name): index '\(indexName)' is a \(indexEntry.kind.rawValue) entry; it must be sqlite or postgres")
        }
        let index = try BackendFactory.make(indexName, config: config, opened: [:], metrics: nil)
        // The folder the index backend would keep bytes in (`files:`, else `files/` beside `path`).
        let files = indexEntry.files.map(config.resolve)
            ?? URL(fileURLWithPath: config.resolve(indexEntry.path)).deletingLastPathComponent().appendingPathComponent("files").path
        var options = Options(url: url, staging: files, exportRoot: config.bundledOptions.exportRoot
                              ?? URL(fileURLWithPath: files).deletingLastPathComponent().appendingPathComponent("buckets").path)
        if let ms = entry.requestTimeoutMs { options.requestTimeoutMs = ms }
        options.caller = GlanceCaller(userId: "ims-gateway", projectId: entry.project ?? "ims-gateway",
                                      roles: entry.roles ?? ["admin", "member", "reader"])
        options.projects = entry.projects ?? [:]
        options.namespace = entry.namespace ?? ""
        options.jobLease = .milliseconds(Int((indexEntry.jobLeaseSeconds ?? 30) * 1000))
        if let seconds = entry.syncIntervalSeconds {
            guard seconds > 0 else { throw GatewayStartError("backends.\(name): sync_interval_seconds must be more than 0") }
            options.syncInterval = .milliseconds(Int(seconds * 1000))
        }
        options.syncFilters = entry.syncFilters ?? [:]
        if let keystone = entry.keystone {
            options.keystone = (keystone.url, try keystone.credentials(relativeTo: config.baseDirectory, place: "backends.\(name).keystone"))
            guard options.keystone?.credentials[options.caller.projectId] != nil else {
                throw GatewayStartError("backends.\(name).keystone: no application credential for the gateway's own project "
                                        + "'\(options.caller.projectId)' (project:)")
            }
        }
        return (index, options)
    }
}
