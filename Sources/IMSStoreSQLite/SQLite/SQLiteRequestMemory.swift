import Foundation
import GRDB
import IMSService

/// Seen signatures and idempotency records in the SQLite store: one gateway's memory of
/// requests, kept across its restarts. Written through the group commit like every write.
extension SQLiteStore: SeenSignatures, IdempotencyRecords {
    public func admit(signature key: String, until expiry: Date, now: Date) async throws -> Bool {
        try await write { db in
            // A record still in its window is left alone: the upsert then changes nothing.
            try db.execute(sql: """
                INSERT INTO seenSignature (key, until) VALUES (?, ?)
                ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE seenSignature.until < ?
                """, arguments: [key, expiry, now])
            return db.changesCount > 0
        }
    }

    public func forgetSignatures(before now: Date) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM seenSignature WHERE until < ?", arguments: [now]) }
    }

    public func claim(_ scope: String, request: String, owner: String, lease: Date, now: Date) async throws -> IdempotencyClaim {
        try await write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT request, leaseUntil, answer, expires FROM idempotencyRecord WHERE scope = ?",
                                          arguments: [scope]) {
                let recorded: String = row["request"]
                if let answer: String = row["answer"] {
                    if let expires: Date = row["expires"], expires >= now { return .done(request: recorded, answer: answer) }
                } else if let until: Date = row["leaseUntil"], until >= now {
                    return .running(request: recorded)
                }
            }
            try db.execute(sql: """
                INSERT OR REPLACE INTO idempotencyRecord (scope, request, owner, leaseUntil, answer, expires)
                VALUES (?, ?, ?, ?, NULL, NULL)
                """, arguments: [scope, request, owner, lease])
            return .claimed
        }
    }

    public func finish(_ scope: String, owner: String, answer: String, expires: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                UPDATE idempotencyRecord SET answer = ?, expires = ?, owner = NULL, leaseUntil = NULL
                WHERE scope = ? AND owner = ? AND answer IS NULL
                """, arguments: [answer, expires, scope, owner])
        }
    }

    public func release(_ scope: String, owner: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM idempotencyRecord WHERE scope = ? AND owner = ? AND answer IS NULL", arguments: [scope, owner])
        }
    }

    public func forgetIdempotency(before now: Date) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM idempotencyRecord WHERE expires < ? OR (answer IS NULL AND leaseUntil < ?)",
                           arguments: [now, now])
        }
    }
}
