import Foundation
import GRDB

/// CECSTACK shares: an owner's private image made visible to chosen users.
enum ShareStore {
    static let maxUsers = 50

    static func share(_ selector: ImageSelector, _ userIds: [String], as identity: Identity, now: Date, in db: Database) throws -> SharePage {
        let image = try ImageStore.findWritable(selector, as: identity, in: db).image
        guard image.visibility == .private else {
            throw CanonicalError.rejected(.notShareable, "only private images can be shared")
        }
        try checkUsers(userIds, in: db)
        var made: [ShareView] = []
        for userId in userIds {
            if try !ImageShare.filter(Column("imageId") == image.imageId && Column("userId") == userId).isEmpty(db) {
                throw CanonicalError.rejected(.alreadyShared, "image \(image.imageId) is already shared with \(userId)")
            }
            var share = ImageShare(shareId: "img-share-" + RandomID.make(length: 20), imageId: image.imageId, userId: userId,
                                   createdAt: now, updatedAt: now)
            try share.insert(db)
            made.append(ShareView(share: share, userName: try userName(userId, in: db), image: nil))
        }
        return SharePage(items: made, total: made.count)
    }

    static func unshare(_ selector: ImageSelector, _ userIds: [String], as identity: Identity, in db: Database) throws -> SharePage {
        let image = try ImageStore.findWritable(selector, as: identity, in: db).image
        try checkCount(userIds)
        var removed: [ShareView] = []
        for userId in userIds {
            guard let share = try ImageShare.filter(Column("imageId") == image.imageId && Column("userId") == userId).fetchOne(db) else {
                throw CanonicalError.rejected(.notShared, "image \(image.imageId) is not shared with \(userId)")
            }
            try share.delete(db)
            removed.append(ShareView(share: share, userName: try userName(userId, in: db), image: nil))
        }
        return SharePage(items: removed, total: removed.count)
    }

    static func list(_ selector: ImageSelector, offset: Int, limit: Int, as identity: Identity, in db: Database) throws -> SharePage {
        let image = try ImageStore.findWritable(selector, as: identity, in: db).image
        let request = ImageShare.filter(Column("imageId") == image.imageId)
        let shares = try request.order(Column("id")).limit(limit, offset: offset).fetchAll(db)
        return SharePage(items: try shares.map { ShareView(share: $0, userName: try userName($0.userId, in: db), image: nil) },
                         total: try request.fetchCount(db))
    }

    static func received(offset: Int, limit: Int, newestFirst: Bool, as identity: Identity, in db: Database) throws -> SharePage {
        var request = ImageShare.all()
        if !identity.isOperator { request = request.filter(Column("userId") == identity.user) }
        let shares = try request.order(newestFirst ? Column("createdAt").desc : Column("createdAt").asc, Column("id"))
            .limit(limit, offset: offset).fetchAll(db)
        return SharePage(items: try shares.map { share in
            ShareView(share: share, userName: try userName(share.userId, in: db),
                      image: try? ImageStore.view(imageId: share.imageId, in: db))
        }, total: try request.fetchCount(db))
    }

    /// The recipient declines a share (or the owner withdraws it).
    static func delete(_ shareId: String, as identity: Identity, in db: Database) throws -> SharePage {
        let share = try findReceived(shareId, as: identity, in: db)
        try share.delete(db)
        return SharePage(items: [ShareView(share: share, userName: try userName(share.userId, in: db), image: nil)], total: 1)
    }

    struct Copy {
        var image: ImageView
        var sourceImageId: String
    }

    /// The recipient's own private copy: metadata now, status `saving` until the bytes follow.
    static func copy(_ shareId: String, _ patch: ImagePatch, as identity: Identity, now: Date, in db: Database) throws -> Copy {
        let share = try findReceived(shareId, as: identity, in: db)
        let source = try ImageStore.view(imageId: share.imageId, in: db)
        guard source.image.status == .active else {
            throw CanonicalError.rejected(.wrongStatus, "image \(source.image.imageId) is \(source.image.status.rawValue)")
        }
        var fields: ImagePatch = [:]
        for field in ImageField.allCases where field.isWritable { fields[field] = source.value(field) }
        fields[.visibility] = .string(Visibility.private.rawValue)
        fields[.owner] = .string(identity.tenant)
        for (field, value) in patch { fields[field] = value }
        fields[.status] = .string(ImageStatus.saving.rawValue)
        fields[.sourceType] = "share"
        // A copy is not under the source's Foreman parents, so Foreman's name rules do not apply to it.
        for field in [ImageField.computeResourceId, .operatingsystemId, .architectureId] { fields[field] = .null }
        let copy = try ImageStore.create(fields, as: Identity(user: identity.user, tenant: fields[.owner]?.stringValue ?? identity.tenant,
                                                               isOperator: identity.isOperator), now: now, in: db)
        return Copy(image: copy, sourceImageId: source.image.imageId)
    }

    static func findReceived(_ shareId: String, as identity: Identity, in db: Database) throws -> ImageShare {
        guard let share = try ImageShare.filter(Column("shareId") == shareId).fetchOne(db) else {
            throw CanonicalError.notFound(kind: "share", id: shareId)
        }
        let owner = try ImageStore.image(imageId: share.imageId, in: db)?.owner
        guard identity.isOperator || share.userId == identity.user || owner == identity.tenant else {
            throw CanonicalError.notFound(kind: "share", id: shareId)
        }
        return share
    }

    static func checkCount(_ userIds: [String]) throws {
        guard !userIds.isEmpty else { throw CanonicalError.invalidParameter(field: "user_ids", message: "is required") }
        guard userIds.count <= maxUsers else {
            throw CanonicalError.rejected(.tooMany, "at most \(maxUsers) users per request")
        }
        guard Set(userIds).count == userIds.count else {
            throw CanonicalError.rejected(.duplicateUserId, "the same user appears twice")
        }
    }

    static func checkUsers(_ userIds: [String], in db: Database) throws {
        try checkCount(userIds)
        for userId in userIds {
            guard let id = Int64(userId), try User.exists(db, key: id) else {
                throw CanonicalError.rejected(.invalidUserId, "no user \(userId)")
            }
        }
    }

    static func userName(_ userId: String, in db: Database) throws -> String? {
        guard let id = Int64(userId) else { return nil }
        return try User.fetchOne(db, key: id)?.username
    }
}
