import GRDB
import NIOConcurrencyHelpers
import NIOPosix

/// A few read-only connections for reads by key (GET-by-id and the like), read off the event
/// loop: on the loop's reader thread (`LoopReadLane`), or NIO's blocking pool for callers that
/// are not on one of the gateway's loops.
///
/// Requests run on the event loops (`EventLoopExecutor`), where nothing may block: a read that
/// misses the page cache waits on the disk, and one that finds every connection busy would wait
/// for a pool reader. So the read runs on a thread made for blocking, and only the hop is paid.
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

    /// Runs `body` on an idle connection, off the event loop; `isolated` wraps it in a read
    /// transaction, for reads of more than one statement that must see one snapshot.
    func read<T: Sendable>(isolated: Bool = false, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard let lane = LoopReadLane.current() else {
            return try await NIOThreadPool.singleton.runIfActive { try self.readHere(isolated: isolated, body) }
        }
        return try await withCheckedThrowingContinuation { continuation in
            lane.submit {
                let result = Result { try self.readHere(isolated: isolated, body) }
                return { continuation.resume(with: result) }
            }
        }
    }

    /// The read itself, on the thread that calls it: a thread that may block.
    private func readHere<T>(isolated: Bool, _ body: (Database) throws -> T) throws -> T {
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
