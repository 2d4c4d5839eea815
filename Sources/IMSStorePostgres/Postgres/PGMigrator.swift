import Foundation
import Logging
import PostgresNIO

/// Brings a PostgreSQL schema up to `PGSchema.migrations`. Gateways that start together do
/// not race: each runs the pending migrations in one transaction holding an advisory lock,
/// so the second waits, then finds them applied. DDL is transactional in PostgreSQL, so a
/// migration that fails leaves nothing half made.
enum PGMigrator {
    /// Advisory lock keys (one 64-bit space per database): the schema's migrations, and the
    /// writes of `PGDatabase.write`. Both are taken per transaction, so a killed gateway's end
    /// frees them.
    static let migrationLockKey: Int64 = 0x696d_735f_6d69_6772  // "ims_migr"
    static let writeLockKey: Int64 = 0x696d_735f_7772_6974  // "ims_writ"

    /// On a connection of its own, not the pool's: it runs before the pool serves anything.
    static func migrate(_ address: PGAddress, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(configuration: try address.connectionConfiguration(), id: 0, logger: logger)
        defer { Task { try? await connection.close() } }
        let schema = address.schema
        try await connection.query("BEGIN", logger: logger)
        do {
            // Per schema: two deployments in two schemas of one database do not wait on each other.
            let lockName = schema ?? "public"
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lockName))::bigint # \(migrationLockKey))", logger: logger)
            if let schema {
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
            }
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS ims_migration (
                    version integer PRIMARY KEY, name text NOT NULL, appliedAt timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM ims_migration", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            // Every pending migration as one statement (a DO block): one round trip, not one per
            // statement (a test run starts a hundred gateways at once, each on a fresh schema).
            let pending = PGSchema.migrations.filter { !applied.contains($0.version) }
            if !pending.isEmpty {
                let script = pending.map { migration in
                    migration.sql + "\nINSERT INTO ims_migration (version, name) VALUES (\(migration.version), "
                        + "'\(migration.name.replacingOccurrences(of: "'", with: "''"))');"
                }.joined(separator: "\n")
                try await connection.query(PostgresQuery(unsafeSQL: "DO $ims_migrate$ BEGIN\n" + script + "\nEND $ims_migrate$"),
                                           logger: logger)
                logger.debug("postgres migrations applied", metadata: ["versions": .string(pending.map { String($0.version) }.joined(separator: ","))])
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

}
