import Foundation
import GRDB
import IMSModel
import IMSService

/// htaiyun application instances and their members in the SQLite store.
extension SQLiteStore: InstanceStore {
    public func instance(_ id: Int64) async throws -> InstanceView? {
        try await inline(isolated: true) { db in try ApplicationInstance.fetchOne(db, key: id).map { try Self.view($0, in: db) } }
    }

    public func instances(_ query: InstanceQuery, owner: String?) async throws -> InstancePage {
        try await read { db in
            var request = ApplicationInstance.all()
            if let owner { request = request.filter(Column("owner") == owner) }
            if let userId = query.userId { request = request.filter(Column("userId") == userId) }
            if let applicationId = query.applicationId { request = request.filter(Column("applicationId") == applicationId) }
            let window = query.window
            if let status = window.status { request = request.filter(Column("status") == status) }
            // A status or keywords holding NUL match nothing (SQLite would bind them cut at the NUL).
            if window.status?.holdsNUL == true || window.keywords?.holdsNUL == true { request = request.filter(sql: "0") }
            if let words = window.keywords, !words.isEmpty, !words.holdsNUL {
                let pattern = "%\(words)%"
                request = request.filter(Column("name").like(pattern) || Column("displayName").like(pattern))
            }
            let total = try request.fetchCount(db)
            let items = try window.ordering(request).limit(window.limit, offset: window.offset).fetchAll(db)
            return InstancePage(items: try items.map { try Self.view($0, in: db) }, total: total)
        }
    }

    public func insert(_ instance: ApplicationInstance) async throws -> InstanceView {
        try await write { db in
            try Self.requireUniqueName(instance, in: db)
            var row = instance
            try row.insert(db)
            return try Self.view(row, in: db)
        }
    }

    public func update(_ instance: ApplicationInstance) async throws -> InstanceView {
        guard let id = instance.id else { throw CanonicalError.notFound(kind: "instance", id: "") }
        return try await write { db in
            guard try ApplicationInstance.fetchOne(db, key: id)?.status == .actived else {
                throw CanonicalError.notFound(kind: "instance", id: String(id))
            }
            try Self.requireUniqueName(instance, in: db)
            try instance.update(db)
            return try Self.view(instance, in: db)
        }
    }

    public func markDeleted(_ ids: [Int64], at: Date) async throws -> [InstanceView]? {
        do {
            return try await write { db -> [InstanceView] in
            var changed: [Int64: InstanceView] = [:]
            for id in Set(ids) {
                guard var instance = try ApplicationInstance.fetchOne(db, key: id), instance.status == .actived else {
                    // The write's savepoint rolls back the ones already marked.
                    throw NotAll()
                }
                instance.status = .deleted
                instance.updatedAt = at
                try instance.update(db)
                changed[id] = try Self.view(instance, in: db)
            }
            return ids.compactMap { changed[$0] }
            }
        } catch is NotAll {
            return nil
        }
    }

    public func addMembers(_ instanceId: Int64, _ userIds: [Int64], at: Date) async throws {
        try await write { db in
            for userId in userIds {
                try InstanceMember(instanceId: instanceId, userId: userId, createdAt: at).insert(db, onConflict: .ignore)
            }
        }
    }

    public func removeMembers(_ instanceId: Int64, _ userIds: [Int64]) async throws -> Int64? {
        do {
            try await write { db in
                for userId in userIds {
                    guard try InstanceMember.deleteOne(db, key: ["instanceId": instanceId, "userId": userId]) else {
                        throw Missing(userId: userId)
                    }
                }
            }
            return nil
        } catch let missing as Missing {
            return missing.userId
        }
    }

    public func members(_ instanceId: Int64, _ window: ListWindow) async throws -> UserPage {
        try await read { db in
            var request = User.filter(sql: "id IN (SELECT userId FROM instanceMember WHERE instanceId = ?)", arguments: [instanceId])
            if let status = window.status { request = request.filter(Column("status") == status) }
            // A status or keywords holding NUL match nothing (SQLite would bind them cut at the NUL).
            if window.status?.holdsNUL == true || window.keywords?.holdsNUL == true { request = request.filter(sql: "0") }
            if let words = window.keywords, !words.isEmpty, !words.holdsNUL {
                let pattern = "%\(words)%"
                request = request.filter(Column("name").like(pattern) || Column("username").like(pattern) || Column("mobile").like(pattern))
            }
            let total = try request.fetchCount(db)
            return UserPage(items: try window.ordering(request).limit(window.limit, offset: window.offset).fetchAll(db), total: total)
        }
    }

    static func view(_ instance: ApplicationInstance, in db: Database) throws -> InstanceView {
        guard let application = try ImageApplication.fetchOne(db, key: instance.applicationId) else {
            throw CanonicalError.notFound(kind: "application", id: String(instance.applicationId))
        }
        guard let owner = try User.fetchOne(db, key: instance.userId) else {
            throw CanonicalError.notFound(kind: "user", id: String(instance.userId))
        }
        return InstanceView(instance: instance, application: application, owner: owner)
    }

    /// Instance names are unique across the platform, deleted ones included (the seed's rule).
    static func requireUniqueName(_ instance: ApplicationInstance, in db: Database) throws {
        var others = ApplicationInstance.filter(Column("name") == instance.name)
        if let id = instance.id { others = others.filter(Column("id") != id) }
        if try !others.isEmpty(db) {
            throw CanonicalError.conflict(field: "name", message: "has already been taken")
        }
    }

    private struct NotAll: Error {}
    private struct Missing: Error { var userId: Int64 }
}
