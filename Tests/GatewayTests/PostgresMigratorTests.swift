import Foundation
@testable import IMSStorePostgres
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

/// The PostgreSQL schema and its migrator, on the server of `IMS_PG_URL` (scripts/postgres).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["IMS_PG_URL"] != nil, "needs IMS_PG_URL"))
struct PostgresMigratorTests {
    static func address(schema: String) throws -> PGAddress {
        try PGAddress(url: ProcessInfo.processInfo.environment["IMS_PG_URL"]!, schema: schema)
    }

    static func freshSchema() -> String { "m_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    /// Runs `body` with databases running as services, then stops them.
    static func running<T: Sendable>(_ databases: [PGDatabase], _ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for db in databases { group.addTask { try await db.run() } }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Runs `sql`, one statement each, on a connection of its own to `url`, closed after.
    static func admin(_ url: String, _ sql: [String]) async throws {
        let logger = Logger(label: "test")
        let connection = try await PostgresConnection.connect(configuration: try PGAddress(url: url).connectionConfiguration(), id: 1, logger: logger)
        do {
            for statement in sql { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// A database of its own made from template0 (no pg_trgm), `body` given its URL, dropped after.
    static func withBareDatabase(_ body: (String) async throws -> Void) async throws {
        let url = ProcessInfo.processInfo.environment["IMS_PG_URL"]!
        let name = "bare_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        try await admin(url, ["CREATE DATABASE \(name) TEMPLATE template0"])
        var parts = URLComponents(string: url)!
        parts.path = "/\(name)"
        do { try await body(parts.string!) } catch {
            try? await admin(url, ["DROP DATABASE \(name) WITH (FORCE)"])
            throw error
        }
        try await admin(url, ["DROP DATABASE \(name) WITH (FORCE)"])
    }

    /// Each schema's gateways migrate it and search names through its trigram index.
    static func migrateAndSearch(_ url: String, schemas: [String]) async throws {
        let databases = try schemas.map { PGDatabase(try PGAddress(url: url, schema: $0), maxConnections: 2) }
        try await running(databases) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for db in databases {
                    group.addTask {
                        let versions = try await db.read { connection in
                            try await connection.query("SELECT count(*) FROM ims_migration", logger: db.logger).decode(Int.self)
                                .reduce(0) { $0 + $1 }
                        }
                        #expect(versions == PGSchema.migrations.count)
                        let indexed = try await db.read { connection in
                            try await connection.query("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'image_name_trigrams'",
                                                       logger: db.logger).decode(Int.self).reduce(0) { $0 + $1 }
                        }
                        #expect(indexed == 1)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Deployments sharing one database through `schema:`: the first to migrate used to get
    /// pg_trgm installed inside its own schema, and every later schema's migration failed.
    @Test func anyNumberOfSchemasMigrateOnADatabaseWithoutTrigrams() async throws {
        try await Self.withBareDatabase { url in
            try await Self.migrateAndSearch(url, schemas: (0..<3).map { _ in Self.freshSchema() })
            try await Self.migrateAndSearch(url, schemas: [Self.freshSchema()])
        }
    }

    /// A database where an older gateway installed pg_trgm in its own schema still takes new ones.
    @Test func schemasMigrateWherePgTrgmLivesInAnotherSchema() async throws {
        try await Self.withBareDatabase { url in
            let first = Self.freshSchema()
            try await Self.admin(url, ["CREATE SCHEMA \(first)", "CREATE EXTENSION pg_trgm SCHEMA \(first)"])
            try await Self.migrateAndSearch(url, schemas: [first, Self.freshSchema(), Self.freshSchema()])
        }
    }

    @Test func gatewaysStartingTogetherMigrateOnceWithoutRacing() async throws {
        let schema = Self.freshSchema()
        let databases = try (0..<4).map { _ in PGDatabase(try Self.address(schema: schema), maxConnections: 2) }
        let versions = try await Self.running(databases) {
            try await withThrowingTaskGroup(of: [Int].self) { group in
                for db in databases {
                    group.addTask {
                        try await db.read { connection in
                            var versions: [Int] = []
                            for try await v in try await connection.query("SELECT version FROM ims_migration ORDER BY version",
                                                                          logger: db.logger).decode(Int.self) { versions.append(v) }
                            return versions
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let expected = PGSchema.migrations.map(\.version)
        #expect(versions.count == 4)
        for seen in versions { #expect(seen == expected) }
    }

    @Test func nameSearchUsesTheTrigramIndexAndFoldsOnlyASCII() async throws {
        let db = PGDatabase(try Self.address(schema: Self.freshSchema()), maxConnections: 2)
        let (folded, accent, plan) = try await Self.running([db]) {
            try await db.read { connection in
                let folded = try await connection.query("SELECT ims_nocase('AbC-É')", logger: db.logger).decode(String.self)
                    .reduce(into: "") { $0 = $1 }
                let accent = try await connection.query("SELECT ims_nocase('É') = ims_nocase('é')", logger: db.logger).decode(Bool.self)
                    .reduce(into: true) { $0 = $1 }
                try await connection.query("SET enable_seqscan = off", logger: db.logger)
                var plan = ""
                for try await line in try await connection.query(
                    "EXPLAIN SELECT id FROM image WHERE ims_nocase(name) LIKE ims_nocase('%cent%')", logger: db.logger).decode(String.self) {
                    plan += line + "\n"
                }
                return (folded, accent, plan)
            }
        }
        #expect(folded == "abc-É")
        #expect(accent == false)
        #expect(plan.contains("image_name_trigrams"), "\(plan)")
    }
}
