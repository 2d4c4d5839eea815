import Foundation
@testable import GatewayHTTP
import GRDB
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreSQLite
import Testing

/// The counts the v13 triggers keep (`imageCount`) answer an unfiltered list's total; they must
/// equal a count of the image table for every reach, whatever wrote the rows.
@Suite struct ImageCountTests {
    /// Every reach the tenancy rule makes, for two tenants and a user with shares.
    static let reaches: [ImageReach] = [
        .all, .publicOnly, .anyOf([]), .nonPublic(tenant: nil), .nonPublic(tenant: "t1"), .nonPublic(tenant: "none"),
        .visible(tenant: "t1", user: "u1"), .visible(tenant: "t2", user: "u2"), .visible(tenant: "none", user: "u1"),
    ]

    /// The kept total and a COUNT of the images, per reach.
    static func totals(_ pool: DatabasePool) async throws -> [(kept: Int?, counted: Int)] {
        try await pool.read { db in
            try reaches.map { reach in
                var sql = ImageSQL()
                sql.scope(reach)
                let counted = try Int.fetchOne(db, sql: sql.count, arguments: sql.arguments) ?? -1
                return (try ImageCounts.total(reach, in: db), counted)
            }
        }
    }

    static func expectKept(_ pool: DatabasePool, _ step: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for (reach, (kept, counted)) in zip(reaches, try await totals(pool)) {
            #expect(kept == counted, "\(step): \(reach)", sourceLocation: sourceLocation)
        }
    }

    static func insert(_ pool: DatabasePool, _ n: Int, owner: String, visibility: Visibility, from first: Int) async throws {
        try await pool.write { db in
            for i in first..<first + n {
                var image = Image(imageId: "img-c\(i)", name: "c-\(i)", now: Date())
                image.owner = owner
                image.visibility = visibility
                try image.insert(db)
            }
        }
    }

    @Test func keptCountsFollowCreatesChangesSharesAndDeletes() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let pool = store.pool
        try await Self.expectKept(pool, "empty")
        // Through the service (the operator's creates) and straight into the table.
        var made: [String] = []
        for i in 0..<6 {
            let view = try #require(try await store.execute(.createImage([.name: .string("s-\(i)")]), as: .anonymousOperator).imageView)
            made.append(view.image.imageId)
        }
        try await Self.insert(pool, 5, owner: "t1", visibility: .public, from: 0)
        try await Self.insert(pool, 4, owner: "t1", visibility: .private, from: 10)
        try await Self.insert(pool, 3, owner: "t2", visibility: .shared, from: 20)
        try await Self.expectKept(pool, "created")
        // Shares: one of t2's to u1 (seen by t1 only through it), one of t1's own (seen twice over).
        try await pool.write { db in
            for (share, image, user) in [("s1", "img-c20", "u1"), ("s2", "img-c10", "u1"), ("s3", "img-c0", "u2")] {
                try db.execute(sql: "INSERT INTO imageShare(shareId, imageId, userId, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?)",
                               arguments: [share, image, user, Date(), Date()])
            }
        }
        try await Self.expectKept(pool, "shared")
        // Visibility and owner changes, one a no-op, one of both columns at once.
        try await pool.write { db in
            try db.execute(sql: "UPDATE image SET visibility = 'public' WHERE imageId = 'img-c10'")
            try db.execute(sql: "UPDATE image SET owner = 't2' WHERE imageId = 'img-c11'")
            try db.execute(sql: "UPDATE image SET owner = 't1', visibility = 'market' WHERE imageId = 'img-c21'")
            try db.execute(sql: "UPDATE image SET visibility = visibility, name = 'renamed' WHERE imageId = 'img-c22'")
        }
        try await Self.expectKept(pool, "changed")
        // A delete, a batch delete, and a batch that fails (rolled back, the counts with it).
        _ = try await store.execute(.deleteImage(ImageSelector(ref: made[0])), as: .anonymousOperator)
        let batch = try await store.execute(.batchDeleteImages(Array(made[1...3]) + ["img-c1", "img-c12"]), as: .anonymousOperator)
        #expect(batch == .imagesDeleted(Array(made[1...3]) + ["img-c1", "img-c12"]))
        try await Self.expectKept(pool, "deleted")
        let missing = try? await store.execute(.batchDeleteImages(["img-c2", "img-missing"]), as: .anonymousOperator)
        #expect(missing == nil)
        try await Self.expectKept(pool, "refused batch")
        // The list answers the kept total, and it is the number of images the list holds.
        let tenant = Identity(user: "u1", tenant: "t1")
        for (scope, identity) in [(ImageScope.visible, tenant), (.publicOnly, tenant), (.own, tenant), (.visible, .anonymousOperator)] {
            guard case .images(let all) = try await store.execute(.listImages(ImageQuery(scope: scope)), as: identity),
                  case .images(let page) = try await store.execute(.listImages(ImageQuery(scope: scope, offset: 1, limit: 2)), as: identity) else {
                Issue.record("not a page"); continue
            }
            #expect(all.total == all.items.count && page.total == all.items.count, "\(scope) \(identity.isOperator)")
            #expect(page.items == Array(all.items.dropFirst().prefix(2)))
        }
    }

    /// A store made before v13 gets its counts from the images it already holds.
    @Test func theMigrationCountsAnExistingStore() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try await Self.store(gateway, madeAt: "v12: named leases") { old in
            try await Self.insert(old, 7, owner: "t1", visibility: .public, from: 0)
            try await Self.insert(old, 2, owner: "t2", visibility: .private, from: 10)
            #expect(try await old.read { db in try db.tableExists("imageCount") } == false)
        }
        try await Self.expectKept(store.pool, "migrated")
        #expect(try await Self.totals(store.pool)[0].kept == 9)
    }

    /// The counts the v15 triggers keep per parent (Foreman's compute resource, operating system,
    /// architecture) equal a COUNT of the images under it, whatever wrote or moved them.
    static func expectParentsKept(_ pool: DatabasePool, _ step: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await pool.read { db in
            for field in ImageCounts.parents.sorted(by: { $0.rawValue < $1.rawValue }) {
                for id in Int64(1)...3 {
                    let kept = try ImageCounts.underParent([.eq(field, .int(id))], reach: .all, in: db)
                    let counted = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM image WHERE \(field.rawValue) = ?", arguments: [id])
                    #expect(kept == counted, "\(step): \(field.rawValue) \(id)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test func parentCountsFollowCreatesMovesAndDeletes() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let pool = store.pool
        try await Self.expectParentsKept(pool, "empty")
        // Foreman's creates under compute resource 1 and 2, and rows written straight in, some with no parent.
        for i in 0..<4 {
            _ = try await store.execute(.createImage([.name: .string("f-\(i)"), .computeResourceId: .int(1)]), as: .anonymousOperator)
        }
        try await Self.insert(pool, 3, owner: "t1", visibility: .public, from: 0)
        try await pool.write { db in
            for (i, (cr, os, arch)) in [(1, 1, 1), (2, 2, 1), (3, 1, 2)].enumerated() {
                var image = Image(imageId: "img-p\(i)", name: "p-\(i)", now: Date())
                image.computeResourceId = Int64(cr)
                image.operatingsystemId = Int64(os)
                image.architectureId = Int64(arch)
                try image.insert(db)
            }
            try db.execute(sql: "UPDATE image SET computeResourceId = 3, architectureId = 2 WHERE imageId = 'img-c0'")
        }
        try await Self.expectParentsKept(pool, "created")
        // Moved: to another parent, to none, and a no-op.
        try await pool.write { db in
            try db.execute(sql: "UPDATE image SET computeResourceId = 2 WHERE name = 'f-0'")
            try db.execute(sql: "UPDATE image SET operatingsystemId = NULL WHERE name = 'p-1'")
            try db.execute(sql: "UPDATE image SET architectureId = architectureId, name = 'f-renamed' WHERE name = 'f-3'")
        }
        try await Self.expectParentsKept(pool, "moved")
        try await pool.write { db in try db.execute(sql: "DELETE FROM image WHERE name IN ('f-1', 'p-0', 'c-0')") }
        try await Self.expectParentsKept(pool, "deleted")
        // Foreman's list under a parent answers that count as its total, and it is what the list holds.
        guard case .images(let all) = try await store.execute(.listImages(ImageQuery(base: [.eq(.computeResourceId, .int(1))])), as: .anonymousOperator),
              case .images(let page) = try await store.execute(.listImages(ImageQuery(base: [.eq(.computeResourceId, .int(1))], limit: 1, countsScope: true)),
                                                               as: .anonymousOperator) else {
            Issue.record("not a page"); return
        }
        #expect(all.items.count == 2 && page.total == 2 && page.scopeTotal == 2 && page.items.count == 1, "\(all.items.count) \(page)")
    }

    /// A store made before v15 gets its parent counts from the images it already holds.
    @Test func theParentMigrationCountsAnExistingStore() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try await Self.store(gateway, madeAt: "v14: places of images in creation order") { old in
            try await Self.insert(old, 4, owner: "t1", visibility: .public, from: 0)
            try await old.write { db in
                try db.execute(sql: "UPDATE image SET computeResourceId = 1, operatingsystemId = 2 WHERE imageId IN ('img-c0', 'img-c1', 'img-c2')")
            }
        }
        try await Self.expectParentsKept(store.pool, "migrated")
        #expect(try await store.pool.read { db in try ImageCounts.underParent([.eq(.computeResourceId, .int(1))], reach: .all, in: db) } == 3)
    }

    /// A store whose schema stops at `version`, filled by `seed`, then opened as the gateway
    /// opens it (every later migration run).
    static func store(_ gateway: TestGateway, madeAt version: String, seed: (DatabasePool) async throws -> Void) async throws -> BundledBackend {
        let path = gateway.dataPath
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            let old = try DatabasePool(path: path)
            try StoreSchema.migrator.migrate(old, upTo: version)
            try await seed(old)
        }
        return try BundledBackend(path: path, options: gateway.config.bundledOptions)
    }
}
