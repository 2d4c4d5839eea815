import IMSModel
import NIOConcurrencyHelpers

/// Group commit for PostgreSQL, after the SQLite store's `GroupCommit`: inserts that arrive
/// while a batch is in flight wait and go together in the next one, one statement (one round
/// trip, one WAL flush) for all of them. Each caller is answered only with its own outcome,
/// and only after the statement that wrote it has committed, so nothing acknowledged is lost.
final class PGInsertGroup<Item: Sendable, Answer: Sendable>: Sendable {
    /// Writes a batch and answers one outcome per item, in order (a failure of the whole batch
    /// is every item's failure).
    typealias Commit = @Sendable ([Item]) async -> [Result<Answer, any Error>]

    private struct Pending {
        var item: Item
        var continuation: CheckedContinuation<Answer, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var draining = false
    }

    /// Bounds one statement (its binds too: PostgreSQL takes at most 65,535).
    let maxBatch: Int
    private let state = NIOLockedValueBox(State())

    init(maxBatch: Int = 128) {
        self.maxBatch = maxBatch
    }

    /// `item` written by `commit`, alone or with others waiting at the same time. Every caller
    /// passes the same `commit`; the one that finds no batch running runs it for all.
    func write(_ item: Item, _ commit: @escaping Commit) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            let lead = state.withLockedValue { state in
                state.pending.append(Pending(item: item, continuation: continuation))
                if state.draining { return false }
                state.draining = true
                return true
            }
            // The drain serves every waiting writer, so it carries none of this one's task-locals.
            if lead { Task.detached { await self.drain(commit) } }
        }
    }

    /// Commits batches until nothing is waiting.
    private func drain(_ commit: Commit) async {
        while true {
            let batch = state.withLockedValue { state in
                let batch = Array(state.pending.prefix(maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let outcomes = await commit(batch.map(\.item))
            for (index, pending) in batch.enumerated() {
                pending.continuation.resume(with: index < outcomes.count ? outcomes[index]
                    : .failure(CanonicalError.internal("a grouped insert was not answered")))
            }
        }
    }
}
