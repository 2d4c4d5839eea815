import Foundation
import GRDB
import IMSModel
import IMSService
import Logging
import ServiceLifecycle

/// The bundled store: one SQLite file in WAL mode behind a `DatabasePool`, so reads run beside
/// the single writer. It implements every store protocol but bytes (`LocalFileStore`). Its fast
/// paths are its own: reads by key on connections of their own (`PointReaders`), writes committed in
/// groups (`GroupCommit`), the WAL checkpointed in the background (`Checkpointer`), deleted
/// names taken out of the trigram index when idle (`NameIndexUpkeep`).
public final class SQLiteStore: Sendable {
    let pool: DatabasePool
    let checkpointer: Checkpointer
    let writes: GroupCommit
    let pointReaders: PointReaders
    let upkeep: NameIndexUpkeep

    static let logger = Logger(label: "ims-gateway.store")

    /// Opens (creating if needed) the store at `path` and brings its schema up to date. Only
    /// this process uses the file, so leases that a previous run held are released: its jobs
    /// resume at once.
    public init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        pool = try Self.openPool(path: path)
        checkpointer = try Checkpointer(path: path, writer: pool)
        try StoreSchema.migrator.migrate(pool)
        try pool.write { db in try db.execute(sql: "UPDATE job SET leaseOwner = NULL, leaseUntil = NULL WHERE leaseOwner IS NOT NULL") }
        writes = GroupCommit(pool: pool)
        pointReaders = try PointReaders(path: path, count: 4, pool: pool)
        upkeep = NameIndexUpkeep(pool: pool)
    }

    /// The store's pool. A commit waits until its WAL frames are on disk (`synchronous = FULL`),
    /// so a write that is answered survives a power cut, not only a crash of the process; GRDB
    /// sets NORMAL for WAL, which syncs only at checkpoints. Group commit shares the sync among
    /// concurrent writes. Public so the storage benchmark's baseline opens the same.
    public static func openPool(path: String) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: config)
        // After the pool's own WAL set-up, which would undo it; only the writer commits.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }

    /// Seeds the catalogue and directory at once (the bundled backend opens synchronously).
    func seedNow(catalog: [CatalogEntry], users: [User]) throws {
        try pool.write { db in
            try SQLiteCatalogue.seed(catalog, in: db)
            try Self.seed(users, in: db)
        }
    }

    public var services: [any Service] { [checkpointer, upkeep] }

    /// The store answers and takes a write lock (a full disk or read-only file would refuse it).
    public func unreadiness() async -> String? {
        do {
            try await pool.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE; ROLLBACK") }
            return nil
        } catch {
            // /readyz is on the clients' port: the reason stays plain, SQLite's words go to the log.
            Self.logger.error("store not writable", metadata: ["error": .string("\(error)")])
            return "store not writable"
        }
    }

    /// A read on a reader of the pool.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    /// A write, committed with the others arriving meanwhile (see `GroupCommit`).
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writes.write { db in
            do {
                return try body(db)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
                && error.message?.hasSuffix(".id") == true
            {
                throw TakenRowId.error
            }
        }
    }

    /// A read by key on a point reader (see `PointReaders`), off the event loop. `isolated`
    /// wraps reads of several statements in one transaction so they see one snapshot.
    func inline<T: Sendable>(isolated: Bool = false, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pointReaders.read(isolated: isolated, body)
    }
}
