import Foundation
import IMSModel
import NIOConcurrencyHelpers

/// Verified credential → identity decisions, kept in memory for a TTL so a request does not pay
/// the slow hash (bcrypt) its credential is checked with. The key is a hash of the presented
/// credential, secret included, so only the same secret hits. Bounded: past `maxEntries` the
/// expired entries go first, then those closest to expiry. Revoking a credential takes effect
/// within the TTL, or at once on reload (`removeAll`).
public final class TokenCache: Sendable {
    struct Entry: Sendable {
        var identity: Identity
        var expiresAt: Date
    }

    let ttl: TimeInterval
    let maxEntries: Int
    private let state = NIOLockedValueBox(State())

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by `removeAll`: a check that started before cannot file its decision after.
        var generation = 0
    }

    public init(ttl: TimeInterval, maxEntries: Int) {
        self.ttl = ttl
        self.maxEntries = max(1, maxEntries)
    }

    /// A cached, unexpired identity for the lookup key.
    public func identity(for key: String, now: Date = Date()) -> Identity? {
        lookup(key, now: now)?.identity
    }

    /// A cached, unexpired identity, and whether its decision is in the last fifth of its TTL:
    /// time to check the credential again in the background (`Authenticator`), so a credential
    /// in steady use is never made to wait for its check when the decision runs out.
    func lookup(_ key: String, now: Date = Date()) -> (identity: Identity, refreshDue: Bool)? {
        state.withLockedValue { state in
            guard let entry = state.entries[key] else { return nil }
            guard entry.expiresAt > now else {
                state.entries[key] = nil
                return nil
            }
            return (entry.identity, entry.expiresAt.timeIntervalSince(now) < ttl / 5)
        }
    }

    /// The current generation, taken when a check starts and handed back with its decision.
    var generation: Int { state.withLockedValue { $0.generation } }

    /// Files a verified decision; one from a check that started before a `removeAll` (a reload
    /// that may have revoked the credential) is dropped.
    public func remember(_ identity: Identity, for key: String, now: Date = Date(), generation: Int? = nil) {
        let entry = Entry(identity: identity, expiresAt: now.addingTimeInterval(ttl))
        state.withLockedValue { state in
            if let generation, generation != state.generation { return }
            if state.entries[key] == nil, state.entries.count >= maxEntries {
                state.entries = state.entries.filter { $0.value.expiresAt > now }
                // Still full: drop the quarter closest to expiry (one sort per many inserts).
                if state.entries.count >= maxEntries {
                    let drop = state.entries.sorted { $0.value.expiresAt < $1.value.expiresAt }.prefix(max(1, maxEntries / 4))
                    for (key, _) in drop { state.entries[key] = nil }
                }
            }
            state.entries[key] = entry
        }
    }

    /// Drops one decision (its credential no longer proves that identity).
    func forget(_ key: String) {
        state.withLockedValue { $0.entries[key] = nil }
    }

    /// Forgets every entry, for a reload that may have revoked credentials.
    public func removeAll() {
        state.withLockedValue { state in
            state.entries.removeAll()
            state.generation += 1
        }
    }

    public var count: Int { state.withLockedValue { $0.entries.count } }
}
