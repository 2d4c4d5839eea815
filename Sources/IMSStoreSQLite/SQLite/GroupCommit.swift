import GRDB
import IMSModel
import NIOConcurrencyHelpers

/// Group commit: writes that arrive while a transaction is committing wait and then share the
/// next one, so N concurrent writes cost one WAL sync instead of N. Each write runs in its own
/// savepoint, so one that fails is rolled back alone and the others still commit. A caller is
/// answered only after the shared transaction has committed: nothing acknowledged is lost, and
/// if the commit fails every write in it fails.
final class GroupCommit: Sendable {
    typealias Work = @Sendable (Database) throws -> any Sendable

    struct Pending {
        var work: Work
        var continuation: CheckedContinuation<any Sendable, any Error>
    }

    struct State {
        var pending: [Pending] = []
        var draining = false
    }

    let pool: DatabasePool
    /// Bounds how much one transaction holds, so a burst does not become one huge commit.
    let maxBatch: Int
    private let state = NIOLockedValueBox(State())

    init(pool: DatabasePool, maxBatch: Int = 256) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        // Every write of a batch answers its own type; the batch carries them type-erased.
        try await write(erased: work) as! T
    }

    private func write(erased work: @escaping Work) async throws -> any Sendable {
        try await withCheckedThrowingContinuation { continuation in
            let lead = state.withLockedValue { state in
                state.pending.append(Pending(work: work, continuation: continuation))
                if state.draining { return false }
                state.draining = true
                return true
            }
            // The first writer to find no drain running starts one; later ones just queue. The
            // drain serves every waiting writer, so it carries none of this one's task-locals.
            if lead { Task.detached { await self.drain() } }
        }
    }

    /// Commits batches until nothing is waiting.
    private func drain() async {
        while true {
            let batch = state.withLockedValue { state in
                let batch = Array(state.pending.prefix(maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    private func commit(_ batch: [Pending]) async {
        let works = batch.map(\.work)
        let outcomes: [Result<any Sendable, any Error>]
        do {
            outcomes = try await pool.write { db in
                works.map { work in
                    var outcome: Result<any Sendable, any Error> = .failure(CanonicalError.internal("write not run"))
                    do {
                        try db.inSavepoint {
                            outcome = .success(try work(db))
                            return .commit
                        }
                    } catch {
                        outcome = .failure(error)
                    }
                    return outcome
                }
            }
        } catch {
            for pending in batch { pending.continuation.resume(throwing: error) }
            return
        }
        for (pending, outcome) in zip(batch, outcomes) { pending.continuation.resume(with: outcome) }
    }
}
