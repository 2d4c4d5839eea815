import Foundation
import Logging

/// A gateway on PostgreSQL (a `backends:` entry of kind `postgres`): the service layer over `PGStore`, with
/// image bytes in a directory (`files:`) that every gateway of the deployment mounts, so any of
/// them streams any image's bytes. What each gateway keeps for itself: its connection pool, its
/// job worker (jobs are shared, claimed under leases), its credential cache and idempotency
/// records (in memory). The database holds everything else.
public enum PGBackend {
    public static func make(_ entry: BackendEntry, config: GatewayConfig) throws -> GatewayService {
        let address = try entry.postgresAddress()
        let db = PGDatabase(address, maxConnections: entry.maxConnections ?? 20)
        let store = PGStore(db)
        let options = config.bundledOptions
        db.prepare {
            try await store.seed(options.catalog)
            try await store.seed(options.users)
        }
        let dataDirectory = URL(fileURLWithPath: config.resolve(entry.path)).deletingLastPathComponent()
        let files = entry.files.map(config.resolve) ?? dataDirectory.appendingPathComponent("files").path
        let bytes = try LocalFileStore(
            root: files, exportRoot: options.exportRoot ?? URL(fileURLWithPath: files).deletingLastPathComponent().appendingPathComponent("buckets").path)
        Logger(label: "ims-gateway.postgres").info("backend: postgres", metadata: ["database": .string(address.description), "files": .string(files)])
        let lease = Duration.milliseconds(Int((entry.jobLeaseSeconds ?? 30) * 1000))
        return GatewayService(stores: Stores(store, bytes: bytes), options: options, storeServices: [db],
                              jobLease: lease, readiness: { await store.unreadiness() })
    }
}
