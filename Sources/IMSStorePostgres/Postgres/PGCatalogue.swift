import Foundation
import IMSModel
import IMSService
import PostgresNIO

extension PGStore: Catalogue {
    static let catalogColumns = "kind, id, name, title, major, minor, family, description, provider, url, extra, createdAt, updatedAt"

    public func entries(_ query: CatalogQuery) async throws -> CatalogPage {
        func condition(_ c: CatalogCondition, _ sql: inout PGSQL) -> String {
            PGConditions.clause(c.field.rawValue, c.field.isNumeric ? .integer : .text, c.op, c.values, &sql)
        }
        func clauses(matching: Bool, _ sql: inout PGSQL) -> String {
            var all = ["kind = \(sql.bind(query.kind.rawValue))"]
            if matching, let m = query.match { all.append(PGConditions.tree(m, &sql, condition)) }
            return PGImageSQL.whereClause(all)
        }
        let direction = query.descending ? "DESC" : "ASC"
        let order = (query.sort + (query.sort.contains(.id) ? [] : [.id]))
            .map { "\($0.rawValue)\($0.isNumeric ? "" : " COLLATE \"C\"") \(direction)" }.joined(separator: ", ")
        var page = PGSQL()
        page.append("SELECT \(Self.catalogColumns) FROM catalogEntry" + clauses(matching: true, &page) + " ORDER BY " + order)
        if let limit = query.limit { page.append(" LIMIT \(page.bind(Int64(limit)))") }
        if query.offset > 0 { page.append(" OFFSET \(page.bind(Int64(query.offset)))") }
        return try await db.read { connection in
            func count(matching: Bool) async throws -> Int {
                var sql = PGSQL()
                sql.append("SELECT count(*) FROM catalogEntry" + clauses(matching: matching, &sql))
                return Int(try await connection.row(sql, logger: logger) { try $0.next(Int64.self) } ?? 0)
            }
            let scopeTotal = try await count(matching: false)
            let total = query.match == nil ? scopeTotal : try await count(matching: true)
            return CatalogPage(items: try await connection.rows(page, logger: logger) { try Self.entry(&$0) }, total: total,
                               scopeTotal: scopeTotal)
        }
    }

    public func entry(_ kind: CatalogEntry.Kind, id: Int64) async throws -> CatalogEntry? {
        var sql = PGSQL()
        sql.append("SELECT \(Self.catalogColumns) FROM catalogEntry WHERE kind = \(sql.bind(kind.rawValue)) AND id = \(sql.bind(id))")
        return try await db.read { try await $0.row(sql, logger: logger) { try Self.entry(&$0) } }
    }

    public func contains(_ kind: CatalogEntry.Kind, id: Int64) async throws -> Bool {
        var sql = PGSQL()
        sql.append("SELECT 1 FROM catalogEntry WHERE kind = \(sql.bind(kind.rawValue)) AND id = \(sql.bind(id))")
        return try await db.read { try await $0.exists(sql, logger: logger) }
    }

    public func entry(_ kind: CatalogEntry.Kind, named name: String) async throws -> CatalogEntry? {
        guard PGSQL.storable(name) else { return nil }
        var sql = PGSQL()
        let n = sql.bind(name)
        sql.append("""
            SELECT \(Self.catalogColumns) FROM catalogEntry WHERE kind = \(sql.bind(kind.rawValue)) AND (name = \(n) OR title = \(n))
            ORDER BY name = \(n) DESC, id LIMIT 1
            """)
        return try await db.read { try await $0.row(sql, logger: logger) { try Self.entry(&$0) } }
    }

    public func insert(_ entry: CatalogEntry, unique: [CatalogField]) async throws -> CatalogEntry {
        try await db.write { connection in
            var stored = entry
            if entry.id == 0 {
                var next = PGSQL()
                next.append("SELECT coalesce(max(id), 0) + 1 FROM catalogEntry WHERE kind = \(next.bind(entry.kind.rawValue))")
                stored.id = try await connection.row(next, logger: logger) { try $0.next(Int64.self) } ?? 1
            }
            try await requireUnique(stored, unique, connection)
            var sql = PGSQL()
            sql.append("INSERT INTO catalogEntry (\(Self.catalogColumns)) VALUES (\(Self.values(stored, &sql)))")
            try await connection.run(sql, logger: logger)
            return stored
        }
    }

    public func update(_ entry: CatalogEntry, unique: [CatalogField]) async throws -> CatalogEntry {
        try await db.write { connection in
            try await requireUnique(entry, unique, connection)
            var sql = PGSQL()
            sql.append("UPDATE catalogEntry SET (\(Self.catalogColumns)) = (\(Self.values(entry, &sql))) "
                + "WHERE kind = \(sql.bind(entry.kind.rawValue)) AND id = \(sql.bind(entry.id)) RETURNING 1")
            guard try await connection.run(sql, logger: logger) > 0 else {
                throw CanonicalError.notFound(kind: entry.kind.rawValue, id: String(entry.id))
            }
            return entry
        }
    }

    public func delete(_ kind: CatalogEntry.Kind, id: Int64) async throws -> Bool {
        try await db.write { connection in
            if try await hasImages(under: kind, id: id, connection) {
                throw CanonicalError.rejected(.inUse, "Cannot delete record because dependent images exist")
            }
            var sql = PGSQL()
            sql.append("DELETE FROM catalogEntry WHERE kind = \(sql.bind(kind.rawValue)) AND id = \(sql.bind(id)) RETURNING 1")
            return try await connection.run(sql, logger: logger) > 0
        }
    }

    /// Upserts by (kind, id), keeping a stored entry's times.
    public func seed(_ entries: [CatalogEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await db.write { connection in
            for entry in entries {
                var sql = PGSQL()
                sql.append("""
                    INSERT INTO catalogEntry (\(Self.catalogColumns)) VALUES (\(Self.values(entry, &sql)))
                    ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, title = excluded.title, major = excluded.major,
                        minor = excluded.minor, family = excluded.family, description = excluded.description,
                        provider = excluded.provider, url = excluded.url, extra = excluded.extra
                    """)
                try await connection.run(sql, logger: logger)
            }
        }
    }

    /// Refuses another entry of the kind with the same text in one of `fields` (under the write lock).
    private func requireUnique(_ entry: CatalogEntry, _ fields: [CatalogField], _ connection: PostgresConnection) async throws {
        for field in fields {
            var sql = PGSQL()
            sql.append("""
                SELECT 1 FROM catalogEntry WHERE kind = \(sql.bind(entry.kind.rawValue)) AND \(field.rawValue) = \(sql.bind(entry.text(field)))
                AND id <> \(sql.bind(entry.id)) LIMIT 1
                """)
            if try await connection.exists(sql, logger: logger) { throw CanonicalError.taken(field.rawValue) }
        }
    }

    static func values(_ e: CatalogEntry, _ sql: inout PGSQL) -> String {
        [sql.bind(e.kind.rawValue), sql.bind(e.id), sql.bind(e.name), sql.bind(e.title), sql.bind(e.major), sql.bind(e.minor),
         sql.bind(e.family), sql.bind(e.description), sql.bind(e.provider), sql.bind(e.url), sql.bind(JSONValue.object(e.extra).serialized),
         sql.bind(PGSQL.time(e.createdAt)), sql.bind(PGSQL.time(e.updatedAt))].joined(separator: ", ")
    }

    static func entry(_ c: inout PGColumns) throws -> CatalogEntry {
        let kind: CatalogEntry.Kind = try c.next(), id: Int64 = try c.next(), name: String = try c.next()
        var e = CatalogEntry(kind: kind, id: id, name: name)
        e.title = try c.next()
        e.major = try c.next()
        e.minor = try c.next()
        e.family = try c.next()
        e.description = try c.next()
        e.provider = try c.next()
        e.url = try c.next()
        e.extra = JSONValue.parse(try c.next(String.self).utf8)?.objectValue ?? [:]
        e.createdAt = try c.next()
        e.updatedAt = try c.next()
        return e
    }
}
