import Foundation
import GRDB
import IMSModel
import IMSService

/// htaiyun image applications in the SQLite store.
extension SQLiteStore: ApplicationStore {
    nonisolated(nonsending) public func application(_ id: Int64) async throws -> ImageApplication? {
        // A cached statement: this runs on every htaiyun read.
        try await inline { db in
            try ImageApplication.fetchOne(db.cachedStatement(sql: "SELECT * FROM imageApplication WHERE id = ?"), arguments: [id])
        }
    }

    public func applications(_ window: ListWindow, owner: String?) async throws -> ApplicationPage {
        try await read { db in
            var request = ImageApplication.all()
            if let owner { request = request.filter(Column("owner") == owner) }
            if let status = window.status { request = request.filter(Column("status") == status) }
            // A status or keywords holding NUL match nothing (SQLite would bind them cut at the NUL).
            if window.status?.holdsNUL == true || window.keywords?.holdsNUL == true { request = request.filter(sql: "0") }
            if let words = window.keywords, !words.isEmpty, !words.holdsNUL {
                let pattern = "%" + words.replacingOccurrences(of: "%", with: "") + "%"
                request = request.filter(Column("name").like(pattern) || Column("displayName").like(pattern))
            }
            let total = try request.fetchCount(db)
            let items = try window.ordering(request).limit(window.limit, offset: window.offset).fetchAll(db)
            return ApplicationPage(items: items, total: total)
        }
    }

    public func insert(_ application: ImageApplication, nameHeldBy: Set<ApplicationStatus>) async throws -> ImageApplication {
        try await write { db in
            try Self.requireFreeName(application, heldBy: nameHeldBy, in: db)
            var app = application
            try app.insert(db)
            return app
        }
    }

    public func update(_ application: ImageApplication, whileStatus status: ApplicationStatus,
                       nameHeldBy: Set<ApplicationStatus>) async throws -> ImageApplication {
        guard let id = application.id else { throw CanonicalError.notFound(kind: "application", id: "") }
        return try await write { db in
            guard try ImageApplication.fetchOne(db, key: id)?.status == status else {
                throw CanonicalError.notFound(kind: "application", id: String(id))
            }
            try Self.requireFreeName(application, heldBy: nameHeldBy, in: db)
            try application.update(db)
            return application
        }
    }

    /// Refuses a name another application in one of `statuses` has.
    static func requireFreeName(_ application: ImageApplication, heldBy statuses: Set<ApplicationStatus>, in db: Database) throws {
        guard !statuses.isEmpty else { return }
        var others = ImageApplication.filter(Column("name") == application.name)
            .filter(statuses.map(\.rawValue).contains(Column("status")))
        if let id = application.id { others = others.filter(Column("id") != id) }
        if try !others.isEmpty(db) { throw CanonicalError.taken("name") }
    }
}
