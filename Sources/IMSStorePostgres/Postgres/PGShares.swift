import Foundation
import IMSModel
import IMSService
import PostgresNIO

extension PGStore: ShareStore {
    static let shareColumns = "id, shareId, imageId, userId, createdAt, updatedAt"

    public func share(_ shareId: String) async throws -> ImageShare? {
        guard PGSQL.storable(shareId) else { return nil }
        var sql = PGSQL()
        sql.append("SELECT \(Self.shareColumns) FROM imageShare WHERE shareId = \(sql.bind(shareId))")
        return try await db.read { try await $0.row(sql, logger: logger) { try Self.share(&$0) } }
    }

    public func insert(_ shares: [ImageShare]) async throws -> [ShareView] {
        try await db.write { connection in
            for share in shares {
                var taken = PGSQL()
                taken.append("SELECT 1 FROM imageShare WHERE imageId = \(taken.bind(share.imageId)) AND userId = \(taken.bind(share.userId))")
                if try await connection.exists(taken, logger: logger) {
                    throw CanonicalError.rejected(.alreadyShared, "image \(share.imageId) is already shared with \(share.userId)")
                }
            }
            var stored: [ImageShare] = []
            for share in shares {
                var sql = PGSQL()
                let id = share.id.map { sql.bind($0) } ?? "DEFAULT"
                sql.append("""
                    INSERT INTO imageShare (\(Self.shareColumns)) VALUES (\(id), \(sql.bind(share.shareId)), \(sql.bind(share.imageId)),
                        \(sql.bind(share.userId)), \(sql.bind(PGSQL.time(share.createdAt))), \(sql.bind(PGSQL.time(share.updatedAt))))
                    RETURNING \(Self.shareColumns)
                    """)
                if let row = try await connection.row(sql, logger: logger, { try Self.share(&$0) }) { stored.append(row) }
            }
            if shares.contains(where: { $0.id != nil }) { try await advanceIdentity("imageShare", connection) }
            return try await views(stored, images: false, connection)
        }
    }

    public func delete(imageId: String, userIds: [String]) async throws -> [ShareView] {
        try await db.write { connection in
            var removed: [ImageShare] = []
            for userId in userIds {
                var sql = PGSQL()
                sql.append("""
                    DELETE FROM imageShare WHERE imageId = \(sql.bind(imageId)) AND userId = \(sql.bind(userId)) RETURNING \(Self.shareColumns)
                    """)
                guard let share = try await connection.row(sql, logger: logger, { try Self.share(&$0) }) else {
                    // Thrown inside the transaction: the deletions before it roll back.
                    throw CanonicalError.rejected(.notShared, "image \(imageId) is not shared with \(userId)")
                }
                removed.append(share)
            }
            return try await views(removed, images: false, connection)
        }
    }

    public func delete(shareId: String) async throws -> Bool {
        guard PGSQL.storable(shareId) else { return false }
        var sql = PGSQL()
        sql.append("DELETE FROM imageShare WHERE shareId = \(sql.bind(shareId)) RETURNING 1")
        return try await db.write { try await $0.run(sql, logger: logger) } > 0
    }

    public func shares(of imageId: String, offset: Int, limit: Int) async throws -> SharePage {
        try await db.read { connection in
            var count = PGSQL()
            count.append("SELECT count(*) FROM imageShare WHERE imageId = \(count.bind(imageId))")
            let total = try await connection.row(count, logger: logger) { try $0.next(Int64.self) } ?? 0
            var page = PGSQL()
            page.append("SELECT \(Self.shareColumns) FROM imageShare WHERE imageId = \(page.bind(imageId)) ORDER BY id "
                + "LIMIT \(page.bind(Int64(limit))) OFFSET \(page.bind(Int64(offset)))")
            let shares = try await connection.rows(page, logger: logger) { try Self.share(&$0) }
            return SharePage(items: try await views(shares, images: false, connection), total: Int(total))
        }
    }

    public func received(by userId: String?, offset: Int, limit: Int, newestFirst: Bool) async throws -> SharePage {
        try await db.read { connection in
            var count = PGSQL()
            count.append("SELECT count(*) FROM imageShare" + (userId.map { " WHERE userId = \(count.bind($0))" } ?? ""))
            let total = try await connection.row(count, logger: logger) { try $0.next(Int64.self) } ?? 0
            var page = PGSQL()
            page.append("SELECT \(Self.shareColumns) FROM imageShare" + (userId.map { " WHERE userId = \(page.bind($0))" } ?? "")
                + " ORDER BY createdAt \(newestFirst ? "DESC" : "ASC"), id ASC LIMIT \(page.bind(Int64(limit))) OFFSET \(page.bind(Int64(offset)))")
            let shares = try await connection.rows(page, logger: logger) { try Self.share(&$0) }
            return SharePage(items: try await views(shares, images: true, connection), total: Int(total))
        }
    }

    /// Shares with their users' names and, when asked, their images' views (nil once gone).
    private func views(_ shares: [ImageShare], images: Bool, _ connection: PostgresConnection) async throws -> [ShareView] {
        let ids = Array(Set(shares.compactMap { Int64($0.userId) }))
        var names: [Int64: String] = [:]
        if !ids.isEmpty {
            var sql = PGSQL()
            sql.append("SELECT id, username FROM \"user\" WHERE id = ANY(\(sql.bind(ids))::bigint[])")
            for (id, name) in try await connection.rows(sql, logger: logger, { try ($0.next(Int64.self), $0.next(String.self)) }) {
                names[id] = name
            }
        }
        var found: [String: ImageView] = [:]
        if images, !shares.isEmpty {
            var sql = PGSQL()
            sql.append(PGImageSQL.selectView + " WHERE image.imageId = ANY(\(sql.bind(Array(Set(shares.map(\.imageId)))))::text[])")
            for view in try await connection.rows(sql, logger: logger, { try ImageView(pg: &$0) }) { found[view.image.imageId] = view }
        }
        return shares.map { ShareView(share: $0, userName: Int64($0.userId).flatMap { names[$0] }, image: found[$0.imageId]) }
    }

    static func share(_ c: inout PGColumns) throws -> ImageShare {
        try ImageShare(id: c.next(Int64.self), shareId: c.next(), imageId: c.next(), userId: c.next(), createdAt: c.next(),
                       updatedAt: c.next())
    }
}
