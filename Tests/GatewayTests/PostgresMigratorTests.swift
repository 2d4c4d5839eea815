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
