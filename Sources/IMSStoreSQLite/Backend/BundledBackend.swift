import Foundation
import GRDB
import IMSFiles
import IMSService

/// The canonical IMS in this process: the service over the SQLite store, with image bytes in
/// files beside the database. Zero setup: the default backend.
public final class BundledBackend: GatewayService, @unchecked Sendable {
    let sqlite: SQLiteStore

    /// Opens (creating if needed) the store at `path`, brings its schema up to date and seeds the
    /// catalogue and directory.
    public init(path: String, options: BundledOptions = BundledOptions()) throws {
        let sqlite = try SQLiteStore(path: path)
        try sqlite.seedNow(catalog: options.catalog, users: options.users)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        let files = try LocalFileStore(root: directory.appendingPathComponent("files").path,
                                       exportRoot: options.exportRoot ?? directory.appendingPathComponent("buckets").path)
        self.sqlite = sqlite
        super.init(stores: Stores(sqlite, bytes: files), options: options, storeServices: sqlite.services,
                   readiness: { await sqlite.unreadiness() })
    }

    /// The SQLite store's pool (tests and tools look inside).
    var pool: DatabasePool { sqlite.pool }

    /// Public so the storage benchmark's baseline opens the same (see `SQLiteStore.openPool`).
    public static func openPool(path: String) throws -> DatabasePool { try SQLiteStore.openPool(path: path) }
}
