import Foundation
import IMSModel
import IMSService
import PostgresNIO

extension PGStore: InstanceStore {
    static let instanceColumns = """
        id, name, displayName, description, userId, applicationId, flavorConfig, status, owner, stackRef, stackName, \
        stackId, serverRef, serverName, serverId, flavorRef, flavorId, createdAt, updatedAt
        """

    public func instance(_ id: Int64) async throws -> InstanceView? {
        try await db.read { connection in
            var sql = PGSQL()
            sql.append("SELECT \(Self.instanceColumns) FROM applicationInstance WHERE id = \(sql.bind(id))")
            guard let instance = try await connection.row(sql, logger: logger, { try Self.instance(&$0) }) else { return nil }
            return try await view(instance, connection)
        }
    }

    public func instances(_ query: InstanceQuery, owner: String?) async throws -> InstancePage {
        let window = query.window
        func clauses(_ sql: inout PGSQL) -> String {
            var all: [String] = []
            if let owner { all.append("owner = \(sql.bind(owner))") }
            if let userId = query.userId { all.append("userId = \(sql.bind(userId))") }
            if let applicationId = query.applicationId { all.append("applicationId = \(sql.bind(applicationId))") }
            if let status = window.status { all.append(PGSQL.storable(status) ? "status = \(sql.bind(status))" : "FALSE") }
            if let words = window.keywords, !words.isEmpty {
                all.append(sql.keywords(words, dropPercent: false, ["applicationInstance.name", "applicationInstance.displayName"]))
            }
            return PGImageSQL.whereClause(all)
        }
        var count = PGSQL()
        count.append("SELECT count(*) FROM applicationInstance" + clauses(&count))
        var page = PGSQL()
        page.append("SELECT \(Self.instanceColumns) FROM applicationInstance" + clauses(&page)
            + PGSQL.order(window, table: "applicationInstance"))
        page.append(" LIMIT \(page.bind(Int64(window.limit))) OFFSET \(page.bind(Int64(window.offset)))")
        return try await db.read { connection in
            let total = try await connection.row(count, logger: logger) { try $0.next(Int64.self) } ?? 0
            var views: [InstanceView] = []
            for instance in try await connection.rows(page, logger: logger, { try Self.instance(&$0) }) {
                views.append(try await view(instance, connection))
            }
            return InstancePage(items: views, total: Int(total))
        }
    }

    public func insert(_ instance: ApplicationInstance) async throws -> InstanceView {
        try await db.write { connection in
            try await requireUniqueName(instance, connection)
            var sql = PGSQL()
            let id = instance.id.map { sql.bind($0) } ?? "DEFAULT"
            sql.append("INSERT INTO applicationInstance (\(Self.instanceColumns)) VALUES (\(id), \(Self.values(instance, &sql))) RETURNING id")
            var stored = instance
            stored.id = try await connection.row(sql, logger: logger) { try $0.next(Int64.self) }
            if instance.id != nil { try await advanceIdentity("applicationInstance", connection) }
            return try await view(stored, connection)
        }
    }

    public func update(_ instance: ApplicationInstance) async throws -> InstanceView {
        guard let id = instance.id else { throw CanonicalError.notFound(kind: "instance", id: "") }
        return try await db.write { connection in
            try await requireUniqueName(instance, connection)
            var sql = PGSQL()
            sql.append("UPDATE applicationInstance SET (\(Self.instanceColumns.dropFirst(4))) = (\(Self.values(instance, &sql))) "
                + "WHERE id = \(sql.bind(id)) AND status = 'ACTIVED' RETURNING 1")
            // A deleted instance stays deleted: a change never brings it back.
            guard try await connection.run(sql, logger: logger) > 0 else { throw CanonicalError.notFound(kind: "instance", id: String(id)) }
            return try await view(instance, connection)
        }
    }

    public func markDeleted(_ ids: [Int64], at: Date) async throws -> [InstanceView]? {
        let distinct = Array(Set(ids))
        return try await db.write { connection in
            var check = PGSQL()
            check.append("SELECT count(*) FROM applicationInstance WHERE id = ANY(\(check.bind(distinct))::bigint[]) AND status = 'ACTIVED'")
            guard try await connection.row(check, logger: logger, { try $0.next(Int64.self) }) == Int64(distinct.count) else { return nil }
            var mark = PGSQL()
            mark.append("UPDATE applicationInstance SET status = 'DELETED', updatedAt = \(mark.bind(PGSQL.time(at))) "
                + "WHERE id = ANY(\(mark.bind(distinct))::bigint[])")
            try await connection.run(mark, logger: logger)
            var views: [InstanceView] = []
            for id in ids {
                var read = PGSQL()
                read.append("SELECT \(Self.instanceColumns) FROM applicationInstance WHERE id = \(read.bind(id))")
                guard let instance = try await connection.row(read, logger: logger, { try Self.instance(&$0) }) else { return nil }
                views.append(try await view(instance, connection))
            }
            return views
        }
    }

    public func addMembers(_ instanceId: Int64, _ userIds: [Int64], at: Date) async throws {
        guard !userIds.isEmpty else { return }
        var sql = PGSQL()
        sql.append("""
            INSERT INTO instanceMember (instanceId, userId, createdAt)
            SELECT \(sql.bind(instanceId)), u, \(sql.bind(PGSQL.time(at))) FROM unnest(\(sql.bind(userIds))::bigint[]) AS u
            ON CONFLICT DO NOTHING
            """)
        try await db.write { try await $0.run(sql, logger: logger) }
    }

    public func removeMembers(_ instanceId: Int64, _ userIds: [Int64]) async throws -> Int64? {
        try await db.write { connection in
            var sql = PGSQL()
            sql.append("""
                SELECT u FROM unnest(\(sql.bind(userIds))::bigint[]) WITH ORDINALITY AS r(u, ord)
                WHERE NOT EXISTS (SELECT 1 FROM instanceMember m WHERE m.instanceId = \(sql.bind(instanceId)) AND m.userId = r.u)
                ORDER BY ord LIMIT 1
                """)
            if let missing = try await connection.row(sql, logger: logger, { try $0.next(Int64.self) }) { return missing }
            var delete = PGSQL()
            delete.append("DELETE FROM instanceMember WHERE instanceId = \(delete.bind(instanceId)) "
                + "AND userId = ANY(\(delete.bind(userIds))::bigint[])")
            try await connection.run(delete, logger: logger)
            return nil
        }
    }

    public func members(_ instanceId: Int64, _ window: ListWindow) async throws -> UserPage {
        func clauses(_ sql: inout PGSQL) -> String {
            var all = ["\"user\".id IN (SELECT userId FROM instanceMember WHERE instanceId = \(sql.bind(instanceId)))"]
            if let status = window.status { all.append(PGSQL.storable(status) ? "\"user\".status = \(sql.bind(status))" : "FALSE") }
            if let words = window.keywords, !words.isEmpty {
                all.append(sql.keywords(words, dropPercent: false, ["\"user\".name", "\"user\".username", "\"user\".mobile"]))
            }
            return PGImageSQL.whereClause(all)
        }
        var count = PGSQL()
        count.append("SELECT count(*) FROM \"user\"" + clauses(&count))
        var page = PGSQL()
        page.append("SELECT \(Self.userColumns) FROM \"user\"" + clauses(&page) + PGSQL.order(window, table: "\"user\""))
        page.append(" LIMIT \(page.bind(Int64(window.limit))) OFFSET \(page.bind(Int64(window.offset)))")
        return try await db.read { connection in
            let total = try await connection.row(count, logger: logger) { try $0.next(Int64.self) } ?? 0
            return UserPage(items: try await connection.rows(page, logger: logger) { try Self.user(&$0) }, total: Int(total))
        }
    }

    /// The instance with its application and owner, which must both exist.
    func view(_ instance: ApplicationInstance, _ connection: PostgresConnection) async throws -> InstanceView {
        var app = PGSQL()
        app.append("SELECT \(Self.applicationColumns) FROM imageApplication WHERE id = \(app.bind(instance.applicationId))")
        guard let application = try await connection.row(app, logger: logger, { try Self.application(&$0) }) else {
            throw CanonicalError.internal("instance \(instance.id ?? 0) names a missing application")
        }
        var user = PGSQL()
        user.append("SELECT \(Self.userColumns) FROM \"user\" WHERE id = \(user.bind(instance.userId))")
        guard let owner = try await connection.row(user, logger: logger, { try Self.user(&$0) }) else {
            throw CanonicalError.internal("instance \(instance.id ?? 0) names a missing user")
        }
        return InstanceView(instance: instance, application: application, owner: owner)
    }

    /// Instance names are unique across the platform, deleted ones included.
    private func requireUniqueName(_ instance: ApplicationInstance, _ connection: PostgresConnection) async throws {
        var sql = PGSQL()
        sql.append("SELECT 1 FROM applicationInstance WHERE name = \(sql.bind(instance.name)) AND id <> \(sql.bind(instance.id ?? -1)) LIMIT 1")
        if try await connection.exists(sql, logger: logger) {
            throw CanonicalError.conflict(field: "name", message: "has already been taken")
        }
    }

    static func values(_ i: ApplicationInstance, _ sql: inout PGSQL) -> String {
        [sql.bind(i.name), sql.bind(i.displayName), sql.bind(i.description) + "::text", sql.bind(i.userId), sql.bind(i.applicationId),
         sql.bind(i.flavorConfig.rawValue), sql.bind(i.status.rawValue), sql.bind(i.owner), sql.bind(i.stackRef), sql.bind(i.stackName),
         sql.bind(i.stackId), sql.bind(i.serverRef), sql.bind(i.serverName), sql.bind(i.serverId), sql.bind(i.flavorRef),
         sql.bind(i.flavorId), sql.bind(PGSQL.time(i.createdAt)), sql.bind(PGSQL.time(i.updatedAt))].joined(separator: ", ")
    }

    static func instance(_ c: inout PGColumns) throws -> ApplicationInstance {
        try ApplicationInstance(
            id: c.next(Int64.self), name: c.next(), displayName: c.next(), description: c.next(String?.self), userId: c.next(),
            applicationId: c.next(), flavorConfig: c.next(), status: c.next(), owner: c.next(), stackRef: c.next(),
            stackName: c.next(), stackId: c.next(), serverRef: c.next(), serverName: c.next(), serverId: c.next(),
            flavorRef: c.next(), flavorId: c.next(), createdAt: c.next(), updatedAt: c.next())
    }
}
