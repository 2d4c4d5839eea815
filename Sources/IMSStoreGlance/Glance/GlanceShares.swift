import Foundation
import IMSModel
import IMSService

/// CECSTACK shares in the index, and as Glance members: the project of each recipient's tenant
/// is a member of the image, accepted on the recipient's behalf, so OpenStack's clients of that
/// project see the image too. The rules Glance does not enforce (a shared image cannot be
/// deleted, a share reads but does not change) stay the service's.
struct GlanceShareStore: ShareStore {
    let index: any ShareStore
    let directory: any Directory
    let mirror: GlanceMirror

    func share(_ shareId: String) async throws -> ImageShare? { try await index.share(shareId) }

    func insert(_ shares: [ImageShare]) async throws -> [ShareView] {
        let views = try await index.insert(shares)
        await keepUp(shares.map(\.imageId))
        return views
    }

    func delete(imageId: String, userIds: [String]) async throws -> [ShareView] {
        let views = try await index.delete(imageId: imageId, userIds: userIds)
        await keepUp([imageId])
        return views
    }

    func delete(shareId: String) async throws -> Bool {
        let share = try await index.share(shareId)
        let deleted = try await index.delete(shareId: shareId)
        if deleted, let share { await keepUp([share.imageId]) }
        return deleted
    }

    func shares(of imageId: String, offset: Int, limit: Int) async throws -> SharePage {
        try await index.shares(of: imageId, offset: offset, limit: limit)
    }

    func received(by userId: String?, offset: Int, limit: Int, newestFirst: Bool) async throws -> SharePage {
        try await index.received(by: userId, offset: offset, limit: limit, newestFirst: newestFirst)
    }

    /// Makes each image's Glance members the projects its shares reach; failures logged.
    func keepUp(_ imageIds: [String]) async {
        for imageId in Set(imageIds).sorted() {
            do {
                try await syncMembers(imageId)
            } catch {
                mirror.logger.warning("Glance members not kept in step", metadata: ["image_id": .string(imageId), "error": .string("\(error)")])
            }
        }
    }

    func syncMembers(_ imageId: String) async throws {
        guard let image = try await mirror.locate(imageId), image.json["visibility"]?.stringValue == "shared" else { return }
        let page = try await index.shares(of: imageId, offset: 0, limit: 10_000)
        let users = try await directory.users(page.items.compactMap { Int64($0.share.userId) })
        let owner = image.json["owner"]?.stringValue
        let wanted = Set(users.map { mirror.projects.project($0.tenant) }).subtracting([owner ?? ""])
        let current = try await mirror.glance.members(image.id, as: mirror.caller)
        for member in current where !wanted.contains(member.project) {
            try await mirror.glance.removeMember(image.id, project: member.project, as: mirror.caller)
        }
        let have = Set(current.map(\.project))
        for project in wanted.sorted() {
            if !have.contains(project) { try await mirror.glance.addMember(image.id, project: project, as: mirror.caller) }
            // Only the member's project may accept: as that project, on the recipient's behalf.
            // With Keystone that needs the project's own credential; without one the membership
            // stays pending (the gateway's own lists come from the index and show the share).
            if current.first(where: { $0.project == project })?.status != "accepted", mirror.glance.canActAs(project) {
                let member = GlanceCaller(userId: mirror.caller.userId, projectId: project, roles: mirror.caller.roles)
                try await mirror.glance.setMemberStatus(image.id, project: project, "accepted", as: member)
            }
        }
    }
}
