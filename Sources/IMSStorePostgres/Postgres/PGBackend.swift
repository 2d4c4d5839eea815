import Foundation
import IMSFiles
import IMSService
import Logging

/// A gateway on PostgreSQL (a `backends:` entry of kind `postgres`): the service layer over `PGStore`, with
/// image bytes in a directory (`files:`) that every gateway of the deployment mounts, so any of
/// them streams any image's bytes. What each gateway keeps for itself: its connection pool, its
/// job worker (jobs are shared, claimed under leases), its credential cache and idempotency
/// records (in memory). The database holds everything else.
public enum PGBackend {
    /// One `postgres` entry, its paths resolved (the config is the HTTP layer's: `BackendFactory`).
    public struct Options: Sendable {
        public var address: PGAddress
        public var maxConnections: Int
        /// Connections kept open with no demand, and how often an idle one is checked (nil: never).
        public var minConnections = 0
        public var keepAlive: Duration?
        /// The directory of image bytes.
        public var files: String
        /// How long a claimed job is this gateway's before another may take it over.
        public var jobLease: Duration
        /// How long opening a connection may take (the pool's), and a command (`DeadlineBackend`).
        public var connectTimeout: Duration = .seconds(1)
        public var requestTimeout: Duration = .seconds(5)

        public init(address: PGAddress, maxConnections: Int, files: String, jobLease: Duration) {
            self.address = address
            self.maxConnections = maxConnections
            self.files = files
            self.jobLease = jobLease
        }
    }

    public static func make(_ postgres: Options, options: BundledOptions) throws -> GatewayService {
        let address = postgres.address
        let db = PGDatabase(address, maxConnections: postgres.maxConnections, minConnections: postgres.minConnections,
                            keepAlive: postgres.keepAlive, connectTimeout: postgres.connectTimeout)
        let store = PGStore(db)
        db.prepare {
            try await store.seed(options.catalog)
            try await store.seed(options.users)
        }
        let files = postgres.files
        let bytes = try LocalFileStore(
            root: files, exportRoot: options.exportRoot ?? URL(fileURLWithPath: files).deletingLastPathComponent().appendingPathComponent("buckets").path)
        Logger(label: "ims-gateway.postgres").info("backend: postgres", metadata: ["database": .string(address.description), "files": .string(files)])
        return GatewayService(stores: Stores(store, bytes: bytes), options: options, storeServices: [db],
                              jobLease: postgres.jobLease, readiness: { await store.unreadiness() })
    }
}
