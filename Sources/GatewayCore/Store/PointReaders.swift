import GRDB
import NIOConcurrencyHelpers

/// A few read-only connections for reads by key (GET-by-id and the like), used on the calling
/// thread.
///
/// `DatabasePool.read` is built for reads of any size: it waits on a semaphore for a reader,
/// asks SQLite for the schema version on every access and wraps the work in BEGIN/COMMIT. For a
/// single-statement point read those cost more than the read (profiled: ~60% of the store's
/// share of a GET). The schema only changes by migration, before these connections open.
/// When all are busy the read goes to the pool instead of waiting.
final class PointReaders: Sendable {
    private let idle: NIOLockedValueBox<[DatabaseQueue]>
    private let pool: DatabasePool

    init(path: String, count: Int, pool: DatabasePool) throws {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        idle = NIOLockedValueBox(try (0..<count).map { _ in try DatabaseQueue(path: path, configuration: config) })
        self.pool = pool
    }

    /// Runs `body` on an idle connection; `isolated` wraps it in a read transaction, for reads
    /// of more than one statement that must see one snapshot.
    func read<T>(isolated: Bool = false, _ body: (Database) throws -> T) throws -> T {
        guard let connection = idle.withLockedValue({ $0.popLast() }) else {
            return isolated ? try pool.read(body) : try pool.unsafeRead(body)
        }
        defer { idle.withLockedValue { $0.append(connection) } }
        return try connection.inDatabase { db in
            guard isolated else { return try body(db) }
            // Prepared once: `inTransaction` parses BEGIN and COMMIT anew each time (profiled:
            // 12% of a 51idc describe-by-id, which reads a count and a page in one snapshot).
            try db.cachedStatement(sql: "BEGIN DEFERRED").execute()
            do {
                let value = try body(db)
                try db.cachedStatement(sql: "COMMIT").execute()
                return value
            } catch {
                try? db.execute(sql: "ROLLBACK")
                throw error
            }
        }
    }
}
