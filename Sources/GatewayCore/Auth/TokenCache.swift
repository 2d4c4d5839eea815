import Foundation
import GRDB
import NIOConcurrencyHelpers

/// Verified credential → identity decisions, kept for a TTL in SQLite so the identity store is
/// not consulted on every request and a restart keeps them. Bounded: past `maxEntries` the
/// entries closest to expiry go first. Revoking a credential takes effect within the TTL.
public final class TokenCache: Sendable {
    struct Entry: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "credentialCache"
        var key: String
        var user: String
        var tenant: String
        var isOperator: Bool
        var expiresAt: Date
    }

    let queue: DatabaseQueue
    let ttl: TimeInterval
    let maxEntries: Int
    /// The hot copy in front of SQLite, so a cached credential costs no database read.
    private let memory = NIOLockedValueBox<[String: Entry]>([:])

    public init(path: String, ttl: TimeInterval, maxEntries: Int) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        var config = Configuration()
        // Another connection (a second gateway on the same data folder) may hold the lock a moment.
        config.busyMode = .timeout(5)
        // A miss writes here from the request's own event loop: in WAL with NORMAL sync a commit
        // does not wait for the disk. A cache may lose its last entries to a power cut; they are
        // verified again.
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        queue = try DatabaseQueue(path: path, configuration: config)
        self.ttl = ttl
        self.maxEntries = maxEntries
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: credential cache") { db in
            try db.create(table: "credentialCache") { t in
                t.primaryKey("key", .text)
                t.column("user", .text).notNull()
                t.column("tenant", .text).notNull()
                t.column("isOperator", .boolean).notNull()
                t.column("expiresAt", .datetime).notNull().indexed()
            }
        }
        try migrator.migrate(queue)
    }

    /// A cached, unexpired identity for the lookup key.
    public func identity(for key: String, now: Date = Date()) -> Identity? {
        let entry = memory.withLockedValue { $0[key] } ?? (try? queue.read({ db in try Entry.fetchOne(db, key: key) }))
        guard let entry, entry.expiresAt > now else { return nil }
        memory.withLockedValue { cached in
            if cached.count >= maxEntries { cached.removeAll() }
            cached[key] = entry
        }
        return Identity(user: entry.user, tenant: entry.tenant, isOperator: entry.isOperator)
    }

    public func remember(_ identity: Identity, for key: String, now: Date = Date()) {
        let entry = Entry(key: key, user: identity.user, tenant: identity.tenant, isOperator: identity.isOperator,
                          expiresAt: now.addingTimeInterval(ttl))
        memory.withLockedValue { cached in
            if cached.count >= maxEntries { cached.removeAll() }
            cached[key] = entry
        }
        try? queue.write { db in
            try entry.upsert(db)
            try Entry.filter(Column("expiresAt") <= now).deleteAll(db)
            let excess = try Entry.fetchCount(db) - maxEntries
            if excess > 0 {
                try db.execute(sql: "DELETE FROM credentialCache WHERE key IN (SELECT key FROM credentialCache ORDER BY expiresAt LIMIT ?)",
                               arguments: [excess])
            }
        }
    }

    /// Forgets every entry, for a reload that may have revoked credentials.
    public func removeAll() {
        memory.withLockedValue { $0.removeAll() }
        _ = try? queue.write { db in try Entry.deleteAll(db) }
    }

    public var count: Int { (try? queue.read { db in try Entry.fetchCount(db) }) ?? 0 }
}
