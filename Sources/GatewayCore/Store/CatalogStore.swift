import Foundation
import GRDB

/// Catalogue commands against an open database access: Foreman's compute resources, operating
/// systems and architectures.
enum CatalogStore {
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

    /// By id when the reference is a number, else by name (an operating system also by title),
    /// as Foreman finds them.
    static func find(_ selector: CatalogSelector, in db: Database) throws -> CatalogEntry {
        let found: CatalogEntry?
        if let id = Int64(selector.ref) {
            found = try CatalogEntry.fetchOne(db, sql: "SELECT * FROM catalogEntry WHERE kind = ? AND id = ?",
                                              arguments: [selector.kind.rawValue, id])
        } else {
            found = try CatalogEntry.fetchOne(db, sql: """
                SELECT * FROM catalogEntry WHERE kind = ? AND (name = ? OR title = ?) ORDER BY name = ? DESC, id LIMIT 1
                """, arguments: [selector.kind.rawValue, selector.ref, selector.ref, selector.ref])
        }
        guard let found else { throw CanonicalError.notFound(kind: selector.kind.rawValue, id: selector.ref) }
        return found
    }

    static func create(_ kind: CatalogEntry.Kind, _ patch: CatalogPatch, now: Date, in db: Database) throws -> CatalogEntry {
        let next = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM catalogEntry WHERE kind = ?",
                                      arguments: [kind.rawValue]) ?? 1
        var entry = CatalogEntry(kind: kind, id: next, name: "", now: now)
        apply(patch, to: &entry)
        try validate(entry, in: db)
        try entry.insert(db)
        return entry
    }

    static func update(_ selector: CatalogSelector, _ patch: CatalogPatch, now: Date, in db: Database) throws -> CatalogEntry {
        var entry = try find(selector, in: db)
        apply(patch, to: &entry)
        entry.updatedAt = now
        try validate(entry, in: db)
        try entry.update(db)
        return entry
    }

    /// Refused while images hang under the entry, as Foreman refuses it.
    static func delete(_ selector: CatalogSelector, in db: Database) throws -> CatalogEntry {
        let entry = try find(selector, in: db)
        let column = ImageStore.parentFields.first { $0.1 == entry.kind }!.0.rawValue
        if try ImageStore.exists("SELECT 1 FROM image WHERE \"\(column)\" = ?", [entry.id], in: db) {
            throw CanonicalError.rejected(.inUse, "Cannot delete record because dependent images exist")
        }
        try entry.delete(db)
        return entry
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

    static func apply(_ patch: CatalogPatch, to entry: inout CatalogEntry) {
        for (field, value) in patch.fields {
            switch field {
            case .id, .title: break
            case .name: entry.name = value
            case .major: entry.major = value
            case .minor: entry.minor = value
            case .family: entry.family = value
            case .description: entry.description = value
            case .provider: entry.provider = value
            case .url: entry.url = value
            }
        }
        entry.extra.merge(patch.extra) { _, new in new }
        entry = entry.labelled
    }

    /// Foreman's rules: a name, unique among its kind (an operating system's title too).
    static func validate(_ entry: CatalogEntry, in db: Database) throws {
        if entry.name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw CanonicalError.invalidParameter(field: "name", message: "can't be blank")
        }
        if entry.name.count > 255 {
            throw CanonicalError.invalidParameter(field: "name", message: "is too long (maximum is 255 characters)")
        }
        let (sql, field): (String, String) = entry.kind == .operatingsystem
            ? ("SELECT 1 FROM catalogEntry WHERE kind = ? AND title = ? AND id <> ?", "title")
            : ("SELECT 1 FROM catalogEntry WHERE kind = ? AND name = ? AND id <> ?", "name")
        let value = entry.kind == .operatingsystem ? entry.title : entry.name
        if try ImageStore.exists(sql, [entry.kind.rawValue, value, entry.id], in: db) {
            throw CanonicalError.conflict(field: field, message: "has already been taken")
        }
    }

    /// The catalogue is shared by every tenant: only an operator changes it.
    static func requireOperator(_ identity: Identity) throws {
        guard identity.isOperator else { throw CanonicalError.forbidden("only an operator may change the catalogue") }
    }

    static func column(_ field: CatalogField) -> String { "\"\(field.rawValue)\"" }

    static func count(_ clauses: [String], _ arguments: [DatabaseValue], in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM catalogEntry WHERE " + clauses.joined(separator: " AND "),
                         arguments: StatementArguments(arguments)) ?? 0
    }
}
