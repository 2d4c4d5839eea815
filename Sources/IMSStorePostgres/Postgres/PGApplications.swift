import Foundation
import IMSModel
import IMSService
import PostgresNIO

extension PGStore: ApplicationStore {
    static let applicationColumns = "id, name, displayName, description, picture, applications, status, owner, createdAt, updatedAt"

    public func application(_ id: Int64) async throws -> ImageApplication? {
        var sql = PGSQL()
        sql.append("SELECT \(Self.applicationColumns) FROM imageApplication WHERE id = \(sql.bind(id))")
        return try await db.read { try await $0.row(sql, logger: logger) { try Self.application(&$0) } }
    }

    public func applications(_ window: ListWindow, owner: String?) async throws -> ApplicationPage {
        func clauses(_ sql: inout PGSQL) -> String {
            var all: [String] = []
            if let owner { all.append("owner = \(sql.bind(owner))") }
            if let status = window.status { all.append(PGSQL.storable(status) ? "status = \(sql.bind(status))" : "FALSE") }
            if let words = window.keywords, !words.isEmpty {
                all.append(sql.keywords(words, dropPercent: true, ["imageApplication.name", "imageApplication.displayName"]))
            }
            return PGImageSQL.whereClause(all)
        }
        var count = PGSQL()
        count.append("SELECT count(*) FROM imageApplication" + clauses(&count))
        var page = PGSQL()
        page.append("SELECT \(Self.applicationColumns) FROM imageApplication" + clauses(&page) + PGSQL.order(window, table: "imageApplication"))
        page.append(" LIMIT \(page.bind(Int64(window.limit))) OFFSET \(page.bind(Int64(window.offset)))")
        return try await db.read { connection in
            let total = try await connection.row(count, logger: logger) { try $0.next(Int64.self) } ?? 0
            let items = try await connection.rows(page, logger: logger) { try Self.application(&$0) }
            return ApplicationPage(items: items, total: Int(total))
        }
    }

    public func insert(_ application: ImageApplication, nameHeldBy: Set<ApplicationStatus>) async throws -> ImageApplication {
        try await db.write { connection in
            try await requireFreeName(application, heldBy: nameHeldBy, connection)
            var sql = PGSQL()
            let id = application.id.map { sql.bind($0) } ?? "DEFAULT"
            sql.append("INSERT INTO imageApplication (\(Self.applicationColumns)) VALUES (\(id), \(Self.values(application, &sql))) RETURNING id")
            var stored = application
            stored.id = try await connection.row(sql, logger: logger) { try $0.next(Int64.self) }
            if application.id != nil { try await advanceIdentity("imageApplication", connection) }
            return stored
        }
    }

    public func update(_ application: ImageApplication, whileStatus status: ApplicationStatus,
                       nameHeldBy: Set<ApplicationStatus>) async throws -> ImageApplication {
        guard let id = application.id else { throw CanonicalError.notFound(kind: "application", id: "") }
        return try await db.write { connection in
            var stored = PGSQL()
            stored.append("SELECT 1 FROM imageApplication WHERE id = \(stored.bind(id)) AND status = \(stored.bind(status.rawValue))")
            guard try await connection.exists(stored, logger: logger) else {
                throw CanonicalError.notFound(kind: "application", id: String(id))
            }
            try await requireFreeName(application, heldBy: nameHeldBy, connection)
            var sql = PGSQL()
            sql.append("UPDATE imageApplication SET (\(Self.applicationColumns.dropFirst(4))) = (\(Self.values(application, &sql))) "
                + "WHERE id = \(sql.bind(id))")
            try await connection.run(sql, logger: logger)
            return application
        }
    }

    /// Refuses a name another application in one of `statuses` has (under the write lock).
    private func requireFreeName(_ application: ImageApplication, heldBy statuses: Set<ApplicationStatus>,
                                 _ connection: PostgresConnection) async throws {
        guard !statuses.isEmpty else { return }
        var sql = PGSQL()
        sql.append("""
            SELECT 1 FROM imageApplication WHERE name = \(sql.bind(application.name))
            AND status = ANY(\(sql.bind(statuses.map(\.rawValue).sorted()))::text[]) AND id <> \(sql.bind(application.id ?? -1)) LIMIT 1
            """)
        if try await connection.exists(sql, logger: logger) { throw CanonicalError.taken("name") }
    }

    /// Every column but the id, as binds.
    static func values(_ a: ImageApplication, _ sql: inout PGSQL) -> String {
        let list = JSONValue.array(a.applications.map { .string($0) }).serialized
        return [sql.bind(a.name), sql.bind(a.displayName), sql.bind(a.description), sql.bind(a.picture), sql.bind(list),
                sql.bind(a.status.rawValue), sql.bind(a.owner), sql.bind(PGSQL.time(a.createdAt)), sql.bind(PGSQL.time(a.updatedAt))]
            .joined(separator: ", ")
    }

    static func application(_ c: inout PGColumns) throws -> ImageApplication {
        let id: Int64 = try c.next(), name: String = try c.next(), displayName: String = try c.next()
        let description: String = try c.next(), picture: String = try c.next(), list: String = try c.next()
        var app = ImageApplication(name: name, displayName: displayName, description: description, picture: picture,
                                   applications: JSONValue.parse(list.utf8)?.arrayValue?.compactMap(\.stringValue) ?? [],
                                   owner: "", now: Date())
        app.id = id
        app.status = try c.next()
        app.owner = try c.next()
        app.createdAt = try c.next()
        app.updatedAt = try c.next()
        return app
    }
}
