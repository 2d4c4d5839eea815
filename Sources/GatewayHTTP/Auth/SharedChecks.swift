import IMSModel
import NIOConcurrencyHelpers

/// Concurrent checks of one credential share one run. When a cached decision expires under
/// load, every connection presenting that credential misses at once: each paid its own bcrypt
/// (~50 ms of CPU), 32 connections 1.6 s of it every TTL, and GET-by-id through Foreman fell to a
/// third of its rate while they ran. Keyed by the credential's lookup key (secret included), so
/// only the same presented secret waits on another's check.
final class SharedChecks: Sendable {
    private let running = NIOLockedValueBox<[String: Task<Identity?, any Error>]>([:])

    /// The result of `check` for `key`, from a run already under way if there is one.
    func identity(for key: String, _ check: @escaping @Sendable () async throws(CanonicalError) -> Identity?)
        async throws(CanonicalError) -> Identity?
    {
        do {
            return try await run(key, check).value
        } catch {
            throw error as? CanonicalError ?? .internal("credential check: \(error)")
        }
    }

    /// Starts `check` for `key` unless one is under way; does not wait for it.
    func start(_ key: String, _ check: @escaping @Sendable () async throws(CanonicalError) -> Identity?) {
        _ = run(key, check)
    }

    /// The run under way for `key`, or a new one of `check`.
    private func run(_ key: String, _ check: @escaping @Sendable () async throws(CanonicalError) -> Identity?)
        -> Task<Identity?, any Error>
    {
        let running = self.running
        return running.withLockedValue { tasks in
            if let task = tasks[key] { return task }
            // The task removes itself when done; it cannot run that before this insert, which
            // holds the lock it needs.
            let task = Task<Identity?, any Error> {
                defer { running.withLockedValue { $0[key] = nil } }
                return try await check()
            }
            tasks[key] = task
            return task
        }
    }

    var inFlight: Int { running.withLockedValue { $0.count } }
}
