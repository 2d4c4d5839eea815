import GRDB
import IMSModel
import IMSService

extension SQLiteStore: Catalogue {
    public func entries(_ query: CatalogQuery) async throws -> CatalogPage {
        try await read { db in try SQLiteCatalogue.list(query, in: db) }
    }

    public func entry(_ kind: CatalogEntry.Kind, id: Int64) async throws -> CatalogEntry? {
        try await inline { db in try SQLiteCatalogue.entry(kind, id: id, in: db) }
    }

    public func contains(_ kind: CatalogEntry.Kind, id: Int64) async throws -> Bool {
        try await inline { db in try SQLiteCatalogue.contains(kind, id: id, in: db) }
    }

    public func entry(_ kind: CatalogEntry.Kind, named name: String) async throws -> CatalogEntry? {
        try await inline { db in try SQLiteCatalogue.entry(kind, named: name, in: db) }
    }

    public func insert(_ entry: CatalogEntry, unique: [CatalogField]) async throws -> CatalogEntry {
        try await write { db in try SQLiteCatalogue.insert(entry, unique: unique, in: db) }
    }

    public func update(_ entry: CatalogEntry, unique: [CatalogField]) async throws -> CatalogEntry {
        try await write { db in try SQLiteCatalogue.update(entry, unique: unique, in: db) }
    }

    public func delete(_ kind: CatalogEntry.Kind, id: Int64) async throws -> Bool {
        try await write { db in try SQLiteCatalogue.delete(kind, id: id, in: db) }
    }

    public func seed(_ entries: [CatalogEntry]) async throws {
        try await pool.write { db in try SQLiteCatalogue.seed(entries, in: db) }
    }
}

extension SQLiteStore: Directory {
    public func user(_ id: Int64) async throws -> User? {
        try await inline { db in try User.fetchOne(db, key: id) }
    }

    public func users(_ ids: [Int64]) async throws -> [User] {
        let found = try await inline { db in try User.fetchAll(db, keys: ids) }
        let byId = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return ids.compactMap { byId[$0] }
    }

    public func seed(_ users: [User]) async throws {
        try await pool.write { db in try Self.seed(users, in: db) }
    }

    /// Upserts by id; a user already there keeps its times (a restart is not a new user).
    static func seed(_ users: [User], in db: Database) throws {
        for u in users {
            try db.execute(literal: """
                INSERT INTO user (id, username, name, mobile, email, type, status, avatarUrl, optionalFlavorIds, tenant, createdAt, updatedAt)
                VALUES (\(u.id), \(u.username), \(u.name), \(u.mobile), \(u.email), \(u.type), \(u.status), \(u.avatarUrl),
                        \(u.optionalFlavorIds), \(u.tenant), \(u.createdAt), \(u.updatedAt))
                ON CONFLICT (id) DO UPDATE SET username = excluded.username, name = excluded.name, mobile = excluded.mobile,
                    email = excluded.email, type = excluded.type, status = excluded.status, avatarUrl = excluded.avatarUrl,
                    optionalFlavorIds = excluded.optionalFlavorIds, tenant = excluded.tenant
                """)
        }
    }

    public func users(after id: Int64, limit: Int) async throws -> [User] {
        try await read { db in try User.filter(Column("id") > id).order(Column("id")).limit(limit).fetchAll(db) }
    }

    public func put(_ users: [User]) async throws {
        try await pool.write { db in for user in users { try user.upsert(db) } }
    }
}
