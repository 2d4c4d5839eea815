import Foundation
import IMSService

/// Named leases on PostgreSQL: one upsert whose update only happens when the lease lapsed or
/// is the caller's, so two gateways acquiring together cannot both win (the row's lock orders
/// them). A row, not an advisory lock: an advisory lock lives on one pooled connection, and a
/// lease must outlive the statement that took it.
extension PGStore: Leases {
    public func acquire(_ name: String, holder: String, now: Date, until: Date) async throws -> Bool {
        var sql = PGSQL()
        sql.append("""
            INSERT INTO lease (name, holder, until) VALUES (\(sql.bind(name)), \(sql.bind(holder)), \(sql.bind(until)))
            ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
            WHERE lease.until < \(sql.bind(now)) OR lease.holder = EXCLUDED.holder
            RETURNING 1
            """)
        return try await db.read { try await $0.run(sql, logger: logger) } > 0
    }

    public func release(_ name: String, holder: String) async throws {
        var sql = PGSQL()
        sql.append("DELETE FROM lease WHERE name = \(sql.bind(name)) AND holder = \(sql.bind(holder))")
        try await db.read { try await $0.run(sql, logger: logger) }
    }
}
