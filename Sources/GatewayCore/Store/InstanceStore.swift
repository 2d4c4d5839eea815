import Foundation
import GRDB

/// htaiyun application instances and their members.
enum InstanceStore {
    static func create(_ draft: InstanceDraft, flavors: [String: String], as identity: Identity, now: Date,
                       in db: Database) throws -> InstanceView {
        try ListWindow.validateName(draft.name, max: 200)
        try requireUniqueName(draft.name, except: nil, in: db)
        let application = try ApplicationStore.find(draft.applicationId, as: identity, in: db)
        guard application.status == .actived else { throw CanonicalError.notFound(kind: "application", id: String(draft.applicationId)) }
        let owner = try user(draft.userId, in: db)
        var instance = ApplicationInstance(
            id: nil, name: draft.name, displayName: draft.displayName, description: draft.description,
            userId: owner.id, applicationId: draft.applicationId, flavorConfig: draft.flavorConfig, status: .actived,
            owner: identity.tenant,
            stackRef: RandomID.hex24(), stackName: "stack-\(draft.name)", stackId: UUID().uuidString.lowercased(),
            serverRef: RandomID.hex24(), serverName: "server-\(draft.name)", serverId: UUID().uuidString.lowercased(),
            flavorRef: RandomID.hex24(), flavorId: flavors[draft.flavorConfig.rawValue] ?? UUID().uuidString.lowercased(),
            createdAt: now, updatedAt: now)
        try instance.insert(db)
        return InstanceView(instance: instance, application: application, owner: owner)
    }

    static func find(_ id: Int64, as identity: Identity, in db: Database) throws -> ApplicationInstance {
        guard let instance = try ApplicationInstance.fetchOne(db, key: id),
              identity.isOperator || instance.owner == identity.tenant
        else { throw CanonicalError.notFound(kind: "instance", id: String(id)) }
        return instance
    }

    static func findActive(_ id: Int64, as identity: Identity, in db: Database) throws -> ApplicationInstance {
        let instance = try find(id, as: identity, in: db)
        guard instance.status == .actived else { throw CanonicalError.notFound(kind: "instance", id: String(id)) }
        return instance
    }

    static func view(_ instance: ApplicationInstance, in db: Database) throws -> InstanceView {
        guard let application = try ImageApplication.fetchOne(db, key: instance.applicationId) else {
            throw CanonicalError.notFound(kind: "application", id: String(instance.applicationId))
        }
        return InstanceView(instance: instance, application: application, owner: try user(instance.userId, in: db))
    }

    static func list(_ query: InstanceQuery, as identity: Identity, in db: Database) throws -> InstancePage {
        var request = ApplicationInstance.all()
        if !identity.isOperator { request = request.filter(Column("owner") == identity.tenant) }
        if let userId = query.userId { request = request.filter(Column("userId") == userId) }
        if let applicationId = query.applicationId { request = request.filter(Column("applicationId") == applicationId) }
        let window = query.window
        if let status = window.status { request = request.filter(Column("status") == status) }
        if let words = window.keywords, !words.isEmpty {
            let pattern = "%\(words)%"
            request = request.filter(Column("name").like(pattern) || Column("displayName").like(pattern))
        }
        let total = try request.fetchCount(db)
        let items = try window.ordering(request).limit(window.limit, offset: window.offset).fetchAll(db)
        return InstancePage(items: try items.map { try view($0, in: db) }, total: total)
    }

    static func update(_ id: Int64, _ patch: InstancePatch, as identity: Identity, now: Date, in db: Database) throws -> InstanceView {
        var instance = try findActive(id, as: identity, in: db)
        if let name = patch.name, name != instance.name {
            try ListWindow.validateName(name, max: 200)
            try requireUniqueName(name, except: id, in: db)
            instance.name = name
        }
        if let v = patch.displayName { instance.displayName = v }
        if let v = patch.description { instance.description = v }
        instance.updatedAt = now
        try instance.update(db)
        return try view(instance, in: db)
    }

    /// Marks every instance DELETED, or none if any is unknown.
    static func delete(_ ids: [Int64], as identity: Identity, now: Date, in db: Database) throws -> InstancePage {
        let instances = try ids.map { try findActive($0, as: identity, in: db) }
        var views: [InstanceView] = []
        for var instance in instances {
            instance.status = .deleted
            instance.updatedAt = now
            try instance.update(db)
            views.append(try view(instance, in: db))
        }
        return InstancePage(items: views, total: views.count)
    }

    static func addMembers(_ id: Int64, _ userIds: [Int64], as identity: Identity, now: Date, in db: Database) throws -> UserPage {
        let instance = try findActive(id, as: identity, in: db)
        let users = try userIds.map { try user($0, in: db) }
        for u in users {
            try InstanceMember(instanceId: instance.id!, userId: u.id, createdAt: now).insert(db, onConflict: .ignore)
        }
        return UserPage(items: users, total: users.count)
    }

    static func removeMembers(_ id: Int64, _ userIds: [Int64], as identity: Identity, in db: Database) throws -> UserPage {
        let instance = try findActive(id, as: identity, in: db)
        var removed: [User] = []
        for userId in userIds {
            guard try InstanceMember.deleteOne(db, key: ["instanceId": instance.id!, "userId": userId]) else {
                throw CanonicalError.notFound(kind: "user", id: String(userId))
            }
            removed.append(try user(userId, in: db))
        }
        return UserPage(items: removed, total: removed.count)
    }

    static func members(_ id: Int64, _ window: ListWindow, as identity: Identity, in db: Database) throws -> UserPage {
        let instance = try find(id, as: identity, in: db)
        var request = User.filter(sql: "id IN (SELECT userId FROM instanceMember WHERE instanceId = ?)", arguments: [instance.id!])
        if let status = window.status { request = request.filter(Column("status") == status) }
        if let words = window.keywords, !words.isEmpty {
            let pattern = "%\(words)%"
            request = request.filter(Column("name").like(pattern) || Column("username").like(pattern) || Column("mobile").like(pattern))
        }
        let total = try request.fetchCount(db)
        return UserPage(items: try window.ordering(request).limit(window.limit, offset: window.offset).fetchAll(db), total: total)
    }

    static func user(_ id: Int64, in db: Database) throws -> User {
        guard let user = try User.fetchOne(db, key: id) else { throw CanonicalError.notFound(kind: "user", id: String(id)) }
        return user
    }

    /// Instance names are unique across the platform, deleted ones included (the seed's rule).
    static func requireUniqueName(_ name: String, except id: Int64?, in db: Database) throws {
        var others = ApplicationInstance.filter(Column("name") == name)
        if let id { others = others.filter(Column("id") != id) }
        if try !others.isEmpty(db) {
            throw CanonicalError.conflict(field: "name", message: "has already been taken")
        }
    }
}
