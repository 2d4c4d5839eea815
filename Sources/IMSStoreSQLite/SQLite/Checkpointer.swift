import GRDB
import GRDBSQLite
import ServiceLifecycle

/// Copies the write-ahead log back into the database file in the background.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the log past its threshold,
/// so that one commit pays for copying and syncing every page written since the last one: a
/// 10,000-image batch delete spent 38–46 ms in its commit, 9–10 ms without. Here the writer's
/// WAL hook (which replaces the automatic checkpoint) only wakes this service, and the
/// checkpoint runs on a connection of its own, in PASSIVE mode: writers never wait for it.
final class Checkpointer: Service, Sendable {
    /// Frames in the log before a checkpoint is due: SQLite's own default.
    static let threshold: Int32 = 1000

    private let connection: DatabaseQueue
    private let wakeups: AsyncStream<Void>
    /// Boxed for the hook's C context. The box is retained for as long as the writer's
    /// connection may call the hook (the process, in practice); once the service has stopped,
    /// a wake-up is a no-op.
    private let waker: Waker

    final class Waker: Sendable {
        let continuation: AsyncStream<Void>.Continuation
        init(_ continuation: AsyncStream<Void>.Continuation) { self.continuation = continuation }
    }

    init(path: String, writer pool: DatabasePool) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        connection = try DatabaseQueue(path: path, configuration: config)
        let (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wakeups = wakeups
        waker = Waker(continuation)
        let context = Unmanaged.passRetained(waker).toOpaque()
        pool.writeWithoutTransaction { db in
            _ = sqlite3_wal_hook(db.sqliteConnection, { context, _, _, frames in
                if frames >= Checkpointer.threshold, let context {
                    Unmanaged<Waker>.fromOpaque(context).takeUnretainedValue().continuation.yield()
                }
                return SQLITE_OK
            }, context)
        }
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in wakeups {
                await checkpoint()
            }
        } onGracefulShutdown: {
            self.waker.continuation.finish()
        }
    }

    /// One PASSIVE checkpoint: as much of the log as no reader still needs.
    func checkpoint() async {
        _ = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }
}
