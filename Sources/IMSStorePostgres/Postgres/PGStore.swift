import Foundation
import IMSModel
import IMSService
import Logging
import PostgresNIO

/// Every store protocol on one PostgreSQL schema, for N gateways on one database. Writes that
/// check before they change (uniqueness, all-or-nothing batches) run under `PGDatabase.write`'s
/// lock, so a check and its change are never split by another gateway's write; image creates
/// whose keys a unique index keeps need no lock and go grouped (`PGInsertGroup`); jobs are
/// claimed with `FOR UPDATE SKIP LOCKED` under a lease (PGJobs.swift).
public final class PGStore: Sendable {
    let db: PGDatabase
    var logger: Logger { db.logger }
    /// Image creates arriving together, written in one statement (`insertGrouped`).
    let imageInserts = PGInsertGroup<(Image, [ImageUniqueKey]), ImageView?>()

    public init(_ db: PGDatabase) {
        self.db = db
    }

    /// `nil` when the database answers and takes a write, else why not (plain words for /readyz).
    public func unreadiness() async -> String? {
        do {
            try await db.write { connection in try await connection.run(PGSQL("SELECT 1"), logger: logger) }
            return nil
        } catch {
            logger.error("postgres not writable", metadata: ["error": .string(String(reflecting: error))])
            return "store not writable"
        }
    }

    /// After an insert that kept a given row id, the table's identity moves past it, so the
    /// ids it assigns later stay ascending and never collide.
    func advanceIdentity(_ table: String, _ connection: PostgresConnection) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT setval(pg_get_serial_sequence('\(table)', 'id'), greatest((SELECT max(id) FROM \(table)), 1))
            """), logger: logger)
    }
}
