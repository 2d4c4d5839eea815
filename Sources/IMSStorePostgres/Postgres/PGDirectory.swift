import Foundation
import IMSModel
import IMSService
import PostgresNIO

extension PGStore: Directory {
    static let userColumns = """
        "user".id, "user".username, "user".name, "user".mobile, "user".email, "user".type, "user".status, \
        "user".avatarUrl, "user".optionalFlavorIds, "user".tenant, "user".createdAt, "user".updatedAt
        """

    public func user(_ id: Int64) async throws -> User? {
        var sql = PGSQL()
        sql.append("SELECT \(Self.userColumns) FROM \"user\" WHERE id = \(sql.bind(id))")
        return try await db.read { try await $0.row(sql, logger: logger) { try Self.user(&$0) } }
    }

    public func users(_ ids: [Int64]) async throws -> [User] {
        guard !ids.isEmpty else { return [] }
        var sql = PGSQL()
        sql.append("SELECT \(Self.userColumns) FROM \"user\" WHERE id = ANY(\(sql.bind(ids))::bigint[])")
        let found = try await db.read { try await $0.rows(sql, logger: logger) { try Self.user(&$0) } }
        let byId = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byId[$0] }
    }

    public func users(after id: Int64, limit: Int) async throws -> [User] {
        var sql = PGSQL()
        sql.append("SELECT \(Self.userColumns) FROM \"user\" WHERE id > \(sql.bind(id)) ORDER BY id LIMIT \(sql.bind(Int64(limit)))")
        return try await db.read { try await $0.rows(sql, logger: logger) { try Self.user(&$0) } }
    }

    public func put(_ users: [User]) async throws { try await upsert(users, keepingTimes: false) }

    /// Upserts by id; gateways seeding together each write the same rows (the last wins).
    public func seed(_ users: [User]) async throws { try await upsert(users, keepingTimes: true) }

    /// Inserts or updates each user by id; an update keeps the stored times when `keepingTimes`.
    private func upsert(_ users: [User], keepingTimes: Bool) async throws {
        guard !users.isEmpty else { return }
        try await db.write { connection in
            for u in users {
                var sql = PGSQL()
                sql.append("""
                    INSERT INTO "user" (id, username, name, mobile, email, type, status, avatarUrl, optionalFlavorIds, tenant, createdAt, updatedAt)
                    VALUES (\(sql.bind(u.id)), \(sql.bind(u.username)), \(sql.bind(u.name))::text, \(sql.bind(u.mobile)), \(sql.bind(u.email)),
                            \(sql.bind(u.type)), \(sql.bind(u.status)), \(sql.bind(u.avatarUrl)), \(sql.bind(u.optionalFlavorIds)),
                            \(sql.bind(u.tenant)), \(sql.bind(PGSQL.time(u.createdAt))), \(sql.bind(PGSQL.time(u.updatedAt))))
                    ON CONFLICT (id) DO UPDATE SET username = excluded.username, name = excluded.name, mobile = excluded.mobile,
                        email = excluded.email, type = excluded.type, status = excluded.status, avatarUrl = excluded.avatarUrl,
                        optionalFlavorIds = excluded.optionalFlavorIds, tenant = excluded.tenant
                    """)
                if !keepingTimes { sql.append(", createdAt = excluded.createdAt, updatedAt = excluded.updatedAt") }
                try await connection.run(sql, logger: logger)
            }
        }
    }

    static func user(_ c: inout PGColumns) throws -> User {
        let id: Int64 = try c.next(), username: String = try c.next(), name = try c.next(String?.self)
        var user = User(id: id, username: username, name: name, mobile: try c.next(), email: try c.next(), type: try c.next(),
                        status: try c.next(), avatarUrl: try c.next(), optionalFlavorIds: try c.next(), tenant: try c.next(),
                        now: Date())
        user.createdAt = try c.next()
        user.updatedAt = try c.next()
        return user
    }
}
