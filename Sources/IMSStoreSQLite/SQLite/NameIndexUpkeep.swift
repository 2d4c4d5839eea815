import GRDB
import Logging
import ServiceLifecycle

/// Takes deleted images' names out of the trigram index (`NameIndex.purge`) in small batches,
/// after deletions, so a deletion never pays for it. SQLite-only: PostgreSQL's `pg_trgm`
/// index needs no such upkeep.
final class NameIndexUpkeep: Service, Sendable {
    let pool: DatabasePool
    private let wakeups: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    let logger = Logger(label: "ims-gateway.store")

    init(pool: DatabasePool) {
        self.pool = pool
        (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Images were deleted: there may be names to take out.
    func wake() { continuation.yield() }

    func run() async throws {
        await withGracefulShutdownHandler {
            // Once at start: a previous run may have left some.
            continuation.yield()
            for await _ in wakeups {
                while !Task.isShuttingDownGracefully, await purge() {}
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }

    /// One batch; answers whether there may be more.
    private func purge() async -> Bool {
        do {
            return try await pool.write { db in try NameIndex.purge(limit: 1000, in: db) } > 0
        } catch {
            logger.warning("name index purge failed", metadata: ["error": .string("\(error)")])
            return false
        }
    }
}
