import Foundation
@testable import IMSModel
@testable import IMSService
@testable import IMSStorePostgres
import PostgresNIO
import Testing

/// Pages of every image in creation order come from the kept buckets (`PGImagePlaces`): every
/// window must be the slice of the whole list an `OFFSET` gives, and every bucket must count the
/// images between its key and the next, with two gateways writing at once, images written out
/// of the order of their times, deletions, changed times, and a store made before the buckets.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["IMS_PG_URL"] != nil, "needs IMS_PG_URL"))
struct PostgresImagePlacesTests {
    static func scalar(_ db: PGDatabase, _ sql: PostgresQuery) async throws -> Int {
        try await db.read { try await $0.query(sql, logger: db.logger).decode(Int.self).reduce(0) { $0 + $1 } }
    }

    /// Buckets whose count is not the number of images from their key to the next bucket's.
    static func miscounted(_ db: PGDatabase) async throws -> Int {
        try await scalar(db, """
            SELECT count(*)::bigint FROM (
                SELECT n, (SELECT count(*) FROM image i WHERE (i.createdAt, i.id) >= (p.createdAt, p.id)
                           AND (p.nextAt IS NULL OR (i.createdAt, i.id) < (p.nextAt, p.nextId))) AS stored
                FROM (SELECT createdAt, id, n, lead(createdAt) OVER w AS nextAt, lead(id) OVER w AS nextId
                      FROM imagePlace WINDOW w AS (ORDER BY createdAt, id)) p) counted
            WHERE n <> stored
            """)
    }

    /// Windows through the store against the same windows by `OFFSET`, both ways.
    static func expectSlices(_ store: PGStore, _ db: PGDatabase, _ step: String,
                             sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await miscounted(db) == 0, "\(step): buckets miscounted", sourceLocation: sourceLocation)
        let total = try await scalar(db, "SELECT count(*)::bigint FROM image")
        let b = PGImagePlaces.bucket
        for descending in [true, false] {
            let order = descending ? "DESC" : "ASC"
            for offset in [1, b - 1, b, b + 1, total / 2, total - 8, total - 1, total, total + 5] where offset >= 1 {
                let sort = [SortKey(.createdAt, descending: descending)]
                let page = try await store.images(ImageQuery(sort: sort, offset: offset, limit: 7), reach: .all)
                let expected = try await db.read { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: "SELECT id FROM image ORDER BY createdAt \(order), id \(order) LIMIT 7 OFFSET \(offset)"),
                                               logger: db.logger).decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) }
                }
                #expect(page.items.map(\.image.id) == expected && page.total == total, "\(step): \(order) offset \(offset)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    /// `count` images from each of `tasks` writers per store, at times drawn at random from
    /// `window` seconds after `base`: writers commit in any order of their images' times.
    static func insertConcurrently(_ stores: [PGStore], tasks: Int, count: Int, base: Date, window: Double) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores {
                for _ in 0..<tasks {
                    group.addTask {
                        for i in 0..<count {
                            let image = PostgresStoreTests.image("p-\(i)", now: base.addingTimeInterval(Double.random(in: 0..<window)))
                            _ = try await store.insert(image, job: nil, unique: ImageUniqueness.keys)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func twoGatewaysWritingAtOnceKeepEveryBucketExact() async throws {
        let schema = PostgresMigratorTests.freshSchema()
        let databases = try (0..<2).map { _ in PGDatabase(try PostgresMigratorTests.address(schema: schema), maxConnections: 4) }
        try await PostgresMigratorTests.running(databases) {
            let stores = databases.map { PGStore($0) }
            let db = databases[0]
            let b = PGImagePlaces.bucket
            // Two buckets' worth and more, written by two gateways, eight writers each, at times
            // within a few seconds: each group's times interleave with the other's.
            try await Self.insertConcurrently(stores, tasks: 8, count: (2 * b + 800) / 16 + 1, base: Date(timeIntervalSince1970: 1_700_000_000), window: 5)
            #expect(try await Self.scalar(db, "SELECT count(*)::bigint FROM imagePlace") >= 2)
            try await Self.expectSlices(stores[0], db, "created")
            // Deletions across buckets (one a bucket's first image), an older time, and more
            // writes beside them.
            try await db.read { connection in
                try await connection.query("""
                    DELETE FROM image WHERE id IN (SELECT id FROM imagePlace WHERE id > 0) OR id % 7 = 0
                    """, logger: db.logger)
                try await connection.query("UPDATE image SET createdAt = '2000-01-01' WHERE id % 11 = 0", logger: db.logger)
            }
            try await Self.insertConcurrently(stores, tasks: 4, count: 100, base: Date(timeIntervalSince1970: 1_700_000_004), window: 10)
            try await Self.expectSlices(stores[1], db, "changed")
        }
    }

    /// A store made before migration 16 gets its buckets from the images it holds.
    @Test func theMigrationPlacesAnExistingStore() async throws {
        let schema = PostgresMigratorTests.freshSchema()
        let address = try PostgresMigratorTests.address(schema: schema)
        let first = PGDatabase(address, maxConnections: 4)
        try await PostgresMigratorTests.running([first]) {
            try await Self.insertConcurrently([PGStore(first)], tasks: 4, count: PGImagePlaces.bucket / 2 + 300,
                                              base: Date(timeIntervalSince1970: 1_700_000_000), window: 60)
            // Back to before migration 16: its table, functions (and their triggers) gone.
            try await first.read { connection in
                for statement in ["DROP TABLE imagePlace", "DROP FUNCTION ims_place_images CASCADE", "DROP FUNCTION ims_lock_places CASCADE",
                                  "DELETE FROM ims_migration WHERE version = 16"] {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: first.logger)
                }
            }
        }
        let again = PGDatabase(address, maxConnections: 4)
        try await PostgresMigratorTests.running([again]) {
            let total = try await Self.scalar(again, "SELECT count(*)::bigint FROM image")
            #expect(try await Self.scalar(again, "SELECT count(*)::bigint FROM imagePlace") == 1 + (total - 1) / PGImagePlaces.bucket)
            try await Self.expectSlices(PGStore(again), again, "migrated")
        }
    }
}
