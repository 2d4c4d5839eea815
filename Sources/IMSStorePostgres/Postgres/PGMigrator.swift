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
            try await findTrigrams(connection, schema: schema, logger: logger)
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

    /// `pg_trgm` is one per database, in one schema. Installed where every schema's search path
    /// looks (`public`) when absent: left to the first migration, it landed in that gateway's
    /// own schema, and every later schema's trigram index failed ("operator class gin_trgm_ops
    /// does not exist"). Where an older gateway did install it in a schema of its own, this
    /// migration looks there too; the index keeps the operator class it was made with.
    static func findTrigrams(_ connection: PostgresConnection, schema: String?, logger: Logger) async throws {
        func installedIn() async throws -> String? {
            let rows = try await connection.query("""
                SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'
                """, logger: logger)
            for try await name in rows.decode(String.self) { return name }
            return nil
        }
        var place = try await installedIn()
        if place == nil {
            // Gateways of other schemas may be here at once: one installs, the others find it.
            try await connection.query("SELECT pg_advisory_xact_lock(\(trigramLockKey))", logger: logger)
            place = try await installedIn()
            if place == nil {
                try await connection.query("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public", logger: logger)
                place = "public"
            }
        }
        if let place, place != "public", place != schema {
            try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(schema ?? "public"), public, \(place)"), logger: logger)
        }
    }

    static let trigramLockKey: Int64 = 0x696d_735f_7472_676d  // "ims_trgm"
}
