import Foundation
import IMSService
import PostgresNIO

/// Seen signatures and idempotency records on PostgreSQL, shared by every gateway of the
/// schema. Each check-and-record is one upsert, atomic without the write lock.
extension PGStore: SeenSignatures, IdempotencyRecords {
    public func admit(signature key: String, until expiry: Date, now: Date) async throws -> Bool {
        var sql = PGSQL()
        sql.append("""
            INSERT INTO seenSignature AS s (key, until) VALUES (\(sql.bind(key)), \(sql.bind(expiry)))
            ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE s.until < \(sql.bind(now))
            RETURNING 1
            """)
        return try await db.read { try await $0.run(sql, logger: logger) } > 0
    }

    public func forgetSignatures(before now: Date) async throws {
        var sql = PGSQL()
        sql.append("DELETE FROM seenSignature WHERE until < \(sql.bind(now))")
        try await db.read { try await $0.run(sql, logger: logger) }
    }

    public func claim(_ scope: String, request: String, owner: String, lease: Date, now: Date) async throws -> IdempotencyClaim {
        var take = PGSQL()
        let at = take.bind(now)
        take.append("""
            INSERT INTO idempotencyRecord AS r (scope, request, owner, leaseUntil)
            VALUES (\(take.bind(scope)), \(take.bind(request)), \(take.bind(owner)), \(take.bind(lease)))
            ON CONFLICT (scope) DO UPDATE SET request = excluded.request, owner = excluded.owner,
                leaseUntil = excluded.leaseUntil, answer = NULL, expires = NULL
            WHERE (r.answer IS NOT NULL AND r.expires < \(at)) OR (r.answer IS NULL AND r.leaseUntil < \(at))
            RETURNING 1
            """)
        var look = PGSQL()
        look.append("SELECT request, answer FROM idempotencyRecord WHERE scope = \(look.bind(scope))")
        return try await db.read { connection in
            // The record the upsert left alone may go (expired, released) before it is read:
            // then the scope is free again, and taken on the next pass.
            for _ in 0..<3 {
                if try await connection.run(take, logger: logger) > 0 { return .claimed }
                let found = try await connection.row(look, logger: logger) { row in (try row.next(String.self), try row.next(String?.self)) }
                if let (recorded, answer) = found {
                    return answer.map { .done(request: recorded, answer: $0) } ?? .running(request: recorded)
                }
            }
            return .running(request: request)
        }
    }

    public func finish(_ scope: String, owner: String, answer: String, expires: Date) async throws {
        var sql = PGSQL()
        sql.append("""
            UPDATE idempotencyRecord SET answer = \(sql.bind(answer)), expires = \(sql.bind(expires)), owner = NULL, leaseUntil = NULL
            WHERE scope = \(sql.bind(scope)) AND owner = \(sql.bind(owner)) AND answer IS NULL
            """)
        try await db.read { try await $0.run(sql, logger: logger) }
    }

    public func release(_ scope: String, owner: String) async throws {
        var sql = PGSQL()
        sql.append("DELETE FROM idempotencyRecord WHERE scope = \(sql.bind(scope)) AND owner = \(sql.bind(owner)) AND answer IS NULL")
        try await db.read { try await $0.run(sql, logger: logger) }
    }

    public func forgetIdempotency(before now: Date) async throws {
        var sql = PGSQL()
        let at = sql.bind(now)
        sql.append("DELETE FROM idempotencyRecord WHERE expires < \(at) OR (answer IS NULL AND leaseUntil < \(at))")
        try await db.read { try await $0.run(sql, logger: logger) }
    }
}
