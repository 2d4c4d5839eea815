import Foundation
import GRDB
import IMSModel

/// Catalogue statements of the SQLite store, run inside an open database access: Foreman's compute resources, operating
/// systems and architectures.
enum SQLiteCatalogue {
    static func list(_ query: CatalogQuery, in db: Database) throws -> CatalogPage {
        var clauses = ["kind = ?"]
        var arguments: [DatabaseValue] = [query.kind.rawValue.databaseValue]
        let scopeTotal = try count(clauses, arguments, in: db)
        if let match = query.match {
            let (clause, values) = ConditionSQL.tree(match) { c in ConditionSQL.clause(column(c.field), c.op, c.values) }
            clauses.append(clause)
            arguments += values
        }
        let total = query.match == nil ? scopeTotal : try count(clauses, arguments, in: db)
        let direction = query.descending ? "DESC" : "ASC"
        let order = (query.sort + (query.sort.contains(.id) ? [] : [.id])).map { "\(column($0)) \(direction)" }
        var sql = "SELECT * FROM catalogEntry WHERE " + clauses.joined(separator: " AND ") + " ORDER BY " + order.joined(separator: ", ")
        if let limit = query.limit {
            sql += " LIMIT ? OFFSET ?"
            arguments += [limit.databaseValue, query.offset.databaseValue]
        } else if query.offset > 0 {
            sql += " LIMIT -1 OFFSET ?"
            arguments.append(query.offset.databaseValue)
        }
        let items = try CatalogEntry.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        return CatalogPage(items: items, total: total, scopeTotal: scopeTotal)
    }

    /// Prepared once per connection (`cached`): every Foreman request under a parent and every
    /// create reads its parent here, on the calling thread, and preparing the statement anew (with
    /// GRDB's authorizer walking its columns) cost more than the read; profiled, it doubled the
    /// event loop's CPU per Foreman create.
    static func entry(_ kind: CatalogEntry.Kind, id: Int64, in db: Database) throws -> CatalogEntry? {
        try SQLRequest<CatalogEntry>(literal: "SELECT * FROM catalogEntry WHERE kind = \(kind.rawValue) AND id = \(id)", cached: true)
            .fetchOne(db)
    }

    /// Existence only: decoding an entry (its `extra` JSON through Codable) cost more than the read.
    static func contains(_ kind: CatalogEntry.Kind, id: Int64, in db: Database) throws -> Bool {
        try SQLRequest<Bool>(literal: "SELECT EXISTS (SELECT 1 FROM catalogEntry WHERE kind = \(kind.rawValue) AND id = \(id))",
                             cached: true).fetchOne(db) ?? false
    }

    /// By name or title, the name winning, then the lowest id (as Foreman finds them).
    static func entry(_ kind: CatalogEntry.Kind, named name: String, in db: Database) throws -> CatalogEntry? {
        guard !name.holdsNUL else { return nil }
        return try SQLRequest<CatalogEntry>(literal: """
            SELECT * FROM catalogEntry WHERE kind = \(kind.rawValue) AND (name = \(name) OR title = \(name))
            ORDER BY name = \(name) DESC, id LIMIT 1
            """, cached: true).fetchOne(db)
    }

    static func insert(_ entry: CatalogEntry, unique: [CatalogField], in db: Database) throws -> CatalogEntry {
        var entry = entry
        if entry.id == 0 {
            entry.id = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM catalogEntry WHERE kind = ?",
                                          arguments: [entry.kind.rawValue]) ?? 1
        }
        try checkUnique(entry, unique, in: db)
        try entry.insert(db)
        return entry
    }

    static func update(_ entry: CatalogEntry, unique: [CatalogField], in db: Database) throws -> CatalogEntry {
        guard try self.entry(entry.kind, id: entry.id, in: db) != nil else {
            throw CanonicalError.notFound(kind: entry.kind.rawValue, id: String(entry.id))
        }
        try checkUnique(entry, unique, in: db)
        try entry.update(db)
        return entry
    }

    static func delete(_ kind: CatalogEntry.Kind, id: Int64, in db: Database) throws -> Bool {
        if try SQLiteImages.hasImages(under: kind, id: id, in: db) {
            throw CanonicalError.rejected(.inUse, "Cannot delete record because dependent images exist")
        }
        try db.execute(sql: "DELETE FROM catalogEntry WHERE kind = ? AND id = ?", arguments: [kind.rawValue, id])
        return db.changesCount > 0
    }

    /// Upserts the config's entries: the config stays the authority for what it lists.
    static func seed(_ entries: [CatalogEntry], in db: Database) throws {
        for var entry in entries {
            if let stored = try CatalogEntry.fetchOne(db, sql: "SELECT * FROM catalogEntry WHERE kind = ? AND id = ?",
                                                      arguments: [entry.kind.rawValue, entry.id]) {
                entry.createdAt = stored.createdAt
                entry.updatedAt = stored.updatedAt
            }
            try entry.labelled.save(db)
        }
    }

    /// Refuses another entry of the kind with the same text in one of `fields`.
    static func checkUnique(_ entry: CatalogEntry, _ fields: [CatalogField], in db: Database) throws {
        for field in fields {
            let sql = "SELECT 1 FROM catalogEntry WHERE kind = ? AND \(column(field)) = ? AND id <> ?"
            if try SQLiteImages.exists(sql, [entry.kind.rawValue, entry.text(field), entry.id], in: db) {
                throw CanonicalError.taken(field.rawValue)
            }
        }
    }

    static func column(_ field: CatalogField) -> String { "\"\(field.rawValue)\"" }

    static func count(_ clauses: [String], _ arguments: [DatabaseValue], in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM catalogEntry WHERE " + clauses.joined(separator: " AND "),
                         arguments: StatementArguments(arguments)) ?? 0
    }
}
