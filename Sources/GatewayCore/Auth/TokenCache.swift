import Foundation
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
    private let entries = NIOLockedValueBox<[String: Entry]>([:])

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
        entries.withLockedValue { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expiresAt > now else {
                entries[key] = nil
                return nil
            }
            return (entry.identity, entry.expiresAt.timeIntervalSince(now) < ttl / 5)
        }
    }

    /// Drops one decision (its credential no longer proves that identity).
    func forget(_ key: String) {
        entries.withLockedValue { $0[key] = nil }
    }

    public func remember(_ identity: Identity, for key: String, now: Date = Date()) {
        let entry = Entry(identity: identity, expiresAt: now.addingTimeInterval(ttl))
        entries.withLockedValue { entries in
            if entries[key] == nil, entries.count >= maxEntries {
                entries = entries.filter { $0.value.expiresAt > now }
                // Still full: drop the quarter closest to expiry (one sort per many inserts).
                if entries.count >= maxEntries {
                    let drop = entries.sorted { $0.value.expiresAt < $1.value.expiresAt }.prefix(max(1, maxEntries / 4))
                    for (key, _) in drop { entries[key] = nil }
                }
            }
            entries[key] = entry
        }
    }

    /// Forgets every entry, for a reload that may have revoked credentials.
    public func removeAll() {
        entries.withLockedValue { $0.removeAll() }
    }

    public var count: Int { entries.withLockedValue { $0.count } }
}
