import Foundation
import IMSModel

/// CECSTACK shares: an owner's private image made readable by chosen users, who may copy it.
extension GatewayService {
    static let maxShareUsers = 50

    func share(_ selector: ImageSelector, _ userIds: [String], as identity: Identity, now: Date) async throws -> SharePage {
        let image = try await findWritable(selector, as: identity).image
        guard image.visibility == .private else {
            throw CanonicalError.rejected(.notShareable, "only private images can be shared")
        }
        try Self.checkCount(userIds)
        for userId in userIds {
            guard let id = Int64(userId), try await stores.directory.user(id) != nil else {
                throw CanonicalError.rejected(.invalidUserId, "no user \(userId)")
            }
        }
        var shares = userIds.map { userId in
            ImageShare(shareId: mint.shareId(), imageId: image.imageId, userId: userId, createdAt: now, updatedAt: now)
        }
        if let minting = Minting.current {
            for index in shares.indices { shares[index].id = minting.rowId(.share, ahead: index) }
        }
        let made = try await stores.shares.insert(shares)
        for view in made { if let id = view.share.id { Minting.current?.stored(.share, id) } }
        return SharePage(items: made, total: made.count)
    }

    func unshare(_ selector: ImageSelector, _ userIds: [String], as identity: Identity) async throws -> SharePage {
        let image = try await findWritable(selector, as: identity).image
        try Self.checkCount(userIds)
        let removed = try await stores.shares.delete(imageId: image.imageId, userIds: userIds)
        return SharePage(items: removed, total: removed.count)
    }

    /// The recipient declines a share (or the owner withdraws it).
    func deleteShare(_ shareId: String, as identity: Identity) async throws -> SharePage {
        let share = try await receivedShare(shareId, as: identity)
        guard try await stores.shares.delete(shareId: shareId) else { throw CanonicalError.notFound(kind: "share", id: shareId) }
        var userName: String?
        if let id = Int64(share.userId) { userName = try await stores.directory.user(id)?.username }
        return SharePage(items: [ShareView(share: share, userName: userName, image: nil)], total: 1)
    }

    /// The recipient's own private copy: metadata now, status `saving` until a job copies the bytes.
    func copyShare(_ shareId: String, _ patch: ImagePatch, as identity: Identity, now: Date) async throws -> ImageView {
        let share = try await receivedShare(shareId, as: identity)
        let source = try await stored(share.imageId)
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
        let owner = Identity(user: identity.user, tenant: fields[.owner]?.stringValue ?? identity.tenant, isOperator: identity.isOperator)
        let sourceId = source.image.imageId
        return try await createImage(fields, as: owner, now: now) { imageId in
            self.job("CopyImage", [imageId], .copyImageFile(from: sourceId, to: imageId), as: identity, now: now)
        }
    }

    /// A share its recipient, the image's owner tenant, or an operator may act on.
    func receivedShare(_ shareId: String, as identity: Identity) async throws -> ImageShare {
        guard let share = try await stores.shares.share(shareId) else { throw CanonicalError.notFound(kind: "share", id: shareId) }
        let owner = try await stores.images.image(.ref(share.imageId), reach: .all, within: [])?.image.owner
        guard identity.isOperator || share.userId == identity.user || owner == identity.tenant else {
            throw CanonicalError.notFound(kind: "share", id: shareId)
        }
        return share
    }

    static func checkCount(_ userIds: [String]) throws {
        guard !userIds.isEmpty else { throw CanonicalError.invalidParameter(field: "user_ids", message: "is required") }
        guard userIds.count <= maxShareUsers else {
            throw CanonicalError.rejected(.tooMany, "at most \(maxShareUsers) users per request")
        }
        guard Set(userIds).count == userIds.count else {
            throw CanonicalError.rejected(.duplicateUserId, "the same user appears twice")
        }
    }
}
