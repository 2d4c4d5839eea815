import Foundation
@testable import GatewayHTTP
import GRDB
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreSQLite
import Testing

/// Pages of every image in creation order come from the kept buckets (`ImagePlaces`); every
/// window must be the slice of the whole list an `OFFSET` gives, across bucket boundaries, ties
/// of time, images created out of order, deletions, and a store made before the buckets.
@Suite struct ImagePlacesTests {
    /// `n` images; every third shares its predecessor's time, and `older` sets them before all.
    static func insert(_ pool: DatabasePool, _ n: Int, from first: Int, older: Bool = false, tag: String = "p") async throws {
        let base = Date(timeIntervalSince1970: older ? 1_000_000 : 1_700_000_000)
        try await pool.write { db in
            for i in first..<first + n {
                var image = Image(imageId: "img-\(tag)\(i)", name: "\(tag)-\(i)", now: base.addingTimeInterval(Double(i - i % 3)))
                image.visibility = .public
                try image.insert(db)
            }
        }
    }

    /// Windows through the store against the same windows by `OFFSET`, both ways.
    static func expectSlices(_ store: BundledBackend, _ step: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let total = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM image") ?? -1 }
        let b = ImagePlaces.bucket
        for descending in [true, false] {
            let order = descending ? "DESC" : "ASC"
            for offset in [0, 1, b - 2, b - 1, b, b + 1, 2 * b - 1, 2 * b, total / 2, total - 8, total - 1, total, total + 5] where offset >= 0 {
                let sort = [SortKey(.createdAt, descending: descending)]
                let page = try await store.page(ImageQuery(sort: sort, offset: offset, limit: 7))
                let expected = try await store.pool.read { db in
                    try Int64.fetchAll(db, sql: "SELECT id FROM image ORDER BY createdAt \(order), id \(order) LIMIT 7 OFFSET ?", arguments: [offset])
                }
                #expect(page.items.map(\.image.id) == expected && page.total == total, "\(step): \(order) offset \(offset)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    @Test func everyWindowIsTheSliceOfTheWholeList() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        try await Self.expectSlices(store, "empty")
        let b = ImagePlaces.bucket
        try await Self.insert(store.pool, 2 * b + 600, from: 0)
        try await Self.expectSlices(store, "created")
        // Out of order (before every bucket's key), then deletions across buckets, one a bucket's first image.
        try await Self.insert(store.pool, 300, from: 3 * b, older: true)
        try await store.pool.write { db in
            try db.execute(sql: "DELETE FROM image WHERE id BETWEEN ? AND ? OR id % 7 = 0", arguments: [b - 100, b + 400])
            try db.execute(sql: "UPDATE image SET createdAt = '2000-01-01 00:00:00.000' WHERE id = ?", arguments: [b + 501])
        }
        try await Self.expectSlices(store, "changed")
        // Through the service too (its creates, its batch delete).
        for i in 0..<5 { _ = try await store.execute(.createImage([.name: .string("s-\(i)")]), as: .anonymousOperator) }
        _ = try await store.execute(.batchDeleteImages(["img-p1", "img-p2", "img-p\(3 * b + 1)"]), as: .anonymousOperator)
        try await Self.expectSlices(store, "service")
        let buckets = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM imagePlace") ?? 0 }
        #expect(buckets == 3)  // the first, and one per further `bucket` created in order
    }

    /// An image written after newer ones (a group commit writes concurrent creates in any
    /// order of their times) while the last bucket is full opens no bucket: the newer images
    /// would stay counted in the bucket before it, and the last page would come out shifted.
    @Test func aBucketOpensOnlyAtTheNewestImage() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let b = ImagePlaces.bucket
        // Two full buckets, then an image whose time falls among the last bucket's newest.
        try await Self.insert(store.pool, 2 * b, from: 0)
        try await Self.insert(store.pool, 1, from: 2 * b - 6, tag: "late")
        try await Self.expectSlices(store, "late")
        let buckets = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM imagePlace") ?? 0 }
        #expect(buckets == 2)
        try await Self.insert(store.pool, b, from: 3 * b)
        try await Self.expectSlices(store, "grown")
    }

    /// A store made before v14 gets its buckets from the images it holds.
    @Test func theMigrationPlacesAnExistingStore() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let path = gateway.dataPath
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            let old = try DatabasePool(path: path)
            try StoreSchema.migrator.migrate(old, upTo: "v13: image counts kept per owner and visibility")
            try await Self.insert(old, 2 * ImagePlaces.bucket + 500, from: 0)
        }
        let store = try BundledBackend(path: path, options: gateway.config.bundledOptions)
        try await Self.expectSlices(store, "migrated")
        try await Self.insert(store.pool, ImagePlaces.bucket, from: 3 * ImagePlaces.bucket)
        try await Self.expectSlices(store, "grown")
    }
}
