import Foundation
import IMSModel

/// htaiyun image applications and instances: owned by a tenant, names checked, deleted by mark.
extension GatewayService {
    nonisolated(nonsending) func application(_ id: Int64, as identity: Identity) async throws -> ImageApplication {
        guard let app = try await stores.applications.application(id), identity.isOperator || app.owner == identity.tenant else {
            throw CanonicalError.notFound(kind: "application", id: String(id))
        }
        return app
    }

    func activeApplication(_ id: Int64, as identity: Identity) async throws -> ImageApplication {
        let app = try await application(id, as: identity)
        guard app.status == ApplicationRules.changeable else { throw CanonicalError.notFound(kind: "application", id: String(id)) }
        return app
    }

    func createApplication(_ draft: ApplicationDraft, as identity: Identity, now: Date) async throws -> ImageApplication {
        try ListWindow.validateName(draft.name, max: 128)
        var app = ImageApplication(
            name: draft.name, displayName: draft.displayName, description: draft.description, picture: draft.picture,
            applications: draft.applications, owner: identity.tenant, now: now)
        app.id = Minting.current?.rowId(.application)
        let stored = try await stores.applications.insert(app, nameHeldBy: ApplicationRules.nameHeldBy(app))
        if let id = stored.id { Minting.current?.stored(.application, id) }
        return stored
    }

    func updateApplication(_ id: Int64, _ patch: ApplicationPatch, as identity: Identity, now: Date) async throws -> ImageApplication {
        var app = try await activeApplication(id, as: identity)
        if let name = patch.name {
            try ListWindow.validateName(name, max: 128)
            app.name = name
        }
        if let v = patch.displayName { app.displayName = v }
        if let v = patch.description { app.description = v }
        if let v = patch.picture { app.picture = v }
        if let v = patch.applications { app.applications = v }
        app.updatedAt = now
        return try await stores.applications.update(app, whileStatus: ApplicationRules.changeable, nameHeldBy: ApplicationRules.nameHeldBy(app))
    }

    /// Marks the application DELETED; htaiyun lists can still ask for deleted ones.
    func deleteApplication(_ id: Int64, as identity: Identity, now: Date) async throws -> ImageApplication {
        var app = try await activeApplication(id, as: identity)
        app.status = .deleted
        app.updatedAt = now
        return try await stores.applications.update(app, whileStatus: ApplicationRules.changeable, nameHeldBy: ApplicationRules.nameHeldBy(app))
    }

    func instance(_ id: Int64, as identity: Identity) async throws -> InstanceView {
        guard let view = try await stores.instances.instance(id), identity.isOperator || view.instance.owner == identity.tenant else {
            throw CanonicalError.notFound(kind: "instance", id: String(id))
        }
        return view
    }

    func activeInstance(_ id: Int64, as identity: Identity) async throws -> InstanceView {
        let view = try await instance(id, as: identity)
        guard view.instance.status == .actived else { throw CanonicalError.notFound(kind: "instance", id: String(id)) }
        return view
    }

    func user(_ id: Int64) async throws -> User {
        guard let user = try await stores.directory.user(id) else { throw CanonicalError.notFound(kind: "user", id: String(id)) }
        return user
    }

    func createInstance(_ draft: InstanceDraft, as identity: Identity, now: Date) async throws -> InstanceView {
        try ListWindow.validateName(draft.name, max: 200)
        let application = try await activeApplication(draft.applicationId, as: identity)
        let owner = try await user(draft.userId)
        let instance = ApplicationInstance(
            id: Minting.current?.rowId(.instance), name: draft.name, displayName: draft.displayName, description: draft.description,
            userId: owner.id, applicationId: application.id!, flavorConfig: draft.flavorConfig, status: .actived,
            owner: identity.tenant,
            stackRef: mint.platformRef(), stackName: "stack-\(draft.name)", stackId: mint.platformId(),
            serverRef: mint.platformRef(), serverName: "server-\(draft.name)", serverId: mint.platformId(),
            flavorRef: mint.platformRef(), flavorId: options.flavors[draft.flavorConfig.rawValue] ?? mint.platformId(),
            createdAt: now, updatedAt: now)
        let stored = try await stores.instances.insert(instance)
        if let id = stored.instance.id { Minting.current?.stored(.instance, id) }
        return stored
    }

    func updateInstance(_ id: Int64, _ patch: InstancePatch, as identity: Identity, now: Date) async throws -> InstanceView {
        var instance = try await activeInstance(id, as: identity).instance
        if let name = patch.name, name != instance.name {
            try ListWindow.validateName(name, max: 200)
            instance.name = name
        }
        if let v = patch.displayName { instance.displayName = v }
        if let v = patch.description { instance.description = v }
        instance.updatedAt = now
        return try await stores.instances.update(instance)
    }

    /// Marks every instance DELETED, or none if any is unknown.
    func deleteInstances(_ ids: [Int64], as identity: Identity, now: Date) async throws -> InstancePage {
        for _ in 0..<3 {
            for id in ids { _ = try await activeInstance(id, as: identity) }
            if let views = try await stores.instances.markDeleted(ids, at: now) {
                return InstancePage(items: views, total: views.count)
            }
        }
        throw CanonicalError.internal("the instances kept changing while they were deleted")
    }

    /// All-or-nothing: every user must exist.
    func addMembers(_ id: Int64, _ userIds: [Int64], as identity: Identity, now: Date) async throws -> UserPage {
        let instance = try await activeInstance(id, as: identity).instance
        var users: [User] = []
        for userId in userIds { users.append(try await user(userId)) }
        try await stores.instances.addMembers(instance.id!, userIds, at: now)
        return UserPage(items: users, total: users.count)
    }

    /// All-or-nothing: every user must be a member.
    func removeMembers(_ id: Int64, _ userIds: [Int64], as identity: Identity) async throws -> UserPage {
        let instance = try await activeInstance(id, as: identity).instance
        if let missing = try await stores.instances.removeMembers(instance.id!, userIds) {
            throw CanonicalError.notFound(kind: "user", id: String(missing))
        }
        var users: [User] = []
        for userId in userIds { users.append(try await user(userId)) }
        return UserPage(items: users, total: users.count)
    }
}
