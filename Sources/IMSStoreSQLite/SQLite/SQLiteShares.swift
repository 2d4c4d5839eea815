import Foundation
import GRDB
import IMSModel
import IMSService

/// CECSTACK shares in the SQLite store.
extension SQLiteStore: ShareStore {
    public func share(_ shareId: String) async throws -> ImageShare? {
        guard !shareId.holdsNUL else { return nil }
        return try await inline { db in try ImageShare.filter(Column("shareId") == shareId).fetchOne(db) }
    }

    public func insert(_ shares: [ImageShare]) async throws -> [ShareView] {
        try await write { db in
            try shares.map { share in
                if try !ImageShare.filter(Column("imageId") == share.imageId && Column("userId") == share.userId).isEmpty(db) {
                    throw CanonicalError.rejected(.alreadyShared, "image \(share.imageId) is already shared with \(share.userId)")
                }
                var row = share
                try row.insert(db)
                return ShareView(share: row, userName: try Self.userName(share.userId, in: db), image: nil)
            }
        }
    }

    public func delete(imageId: String, userIds: [String]) async throws -> [ShareView] {
        try await write { db in
            try userIds.map { userId in
                guard let share = try ImageShare.filter(Column("imageId") == imageId && Column("userId") == userId).fetchOne(db) else {
                    throw CanonicalError.rejected(.notShared, "image \(imageId) is not shared with \(userId)")
                }
                try share.delete(db)
                return ShareView(share: share, userName: try Self.userName(userId, in: db), image: nil)
            }
        }
    }

    public func delete(shareId: String) async throws -> Bool {
        guard !shareId.holdsNUL else { return false }
        return try await write { db in
            try db.execute(sql: "DELETE FROM imageShare WHERE shareId = ?", arguments: [shareId])
            return db.changesCount > 0
        }
    }

    public func shares(of imageId: String, offset: Int, limit: Int) async throws -> SharePage {
        try await read { db in
            let request = ImageShare.filter(Column("imageId") == imageId)
            let shares = try request.order(Column("id")).limit(limit, offset: offset).fetchAll(db)
            return SharePage(items: try shares.map { ShareView(share: $0, userName: try Self.userName($0.userId, in: db), image: nil) },
                             total: try request.fetchCount(db))
        }
    }

    public func received(by userId: String?, offset: Int, limit: Int, newestFirst: Bool) async throws -> SharePage {
        try await read { db in
            var request = ImageShare.all()
            if let userId { request = request.filter(Column("userId") == userId) }
            let shares = try request.order(newestFirst ? Column("createdAt").desc : Column("createdAt").asc, Column("id"))
                .limit(limit, offset: offset).fetchAll(db)
            return SharePage(items: try shares.map { share in
                ShareView(share: share, userName: try Self.userName(share.userId, in: db),
                          image: try? SQLiteImages.view(imageId: share.imageId, in: db))
            }, total: try request.fetchCount(db))
        }
    }

    static func userName(_ userId: String, in db: Database) throws -> String? {
        guard let id = Int64(userId) else { return nil }
        return try User.fetchOne(db, key: id)?.username
    }
}
