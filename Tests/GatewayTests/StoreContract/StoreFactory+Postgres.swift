import Foundation
@testable import IMSFiles
@testable import IMSService
@testable import IMSStorePostgres
import Logging

/// The PostgreSQL store's factory: a schema of its own per test in the database of
/// `IMS_PG_URL` (scripts/postgres), none when it is not set.
extension StoreFactory {
    static var postgres: [StoreFactory] {
        guard let url = ProcessInfo.processInfo.environment["IMS_PG_URL"] else { return [] }
        return [StoreFactory(name: "postgres") { directory, users, catalog in
            let schema = "c_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            var logger = Logger(label: "contract.postgres")
            logger.logLevel = .warning
            let db = PGDatabase(try PGAddress(url: url, schema: schema), maxConnections: 4, listens: false, logger: logger)
            // Runs for the rest of the test process; its idle connections close on their own.
            Task { try await db.run() }
            let store = PGStore(db)
            try await store.seed(users)
            try await store.seed(catalog)
            let files = try LocalFileStore(root: directory.appendingPathComponent("files").path,
                                           exportRoot: directory.appendingPathComponent("buckets").path)
            return Stores(store, bytes: files)
        }]
    }
}
