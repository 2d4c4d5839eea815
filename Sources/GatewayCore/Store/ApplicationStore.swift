import Foundation
import GRDB

/// htaiyun image-application commands against an open database access.
enum ApplicationStore {
    static func create(_ draft: ApplicationDraft, as identity: Identity, now: Date, in db: Database) throws -> ImageApplication {
        try ListWindow.validateName(draft.name, max: 128)
        try requireUniqueName(draft.name, except: nil, in: db)
        var app = ImageApplication(name: draft.name, displayName: draft.displayName, description: draft.description,
                                   picture: draft.picture, applications: draft.applications,
                                   owner: identity.tenant, now: now)
        try app.insert(db)
        return app
    }

    static func find(_ id: Int64, as identity: Identity, in db: Database) throws -> ImageApplication {
        // A cached statement: this runs on every htaiyun read.
        guard let app = try ImageApplication.fetchOne(db.cachedStatement(sql: "SELECT * FROM imageApplication WHERE id = ?"), arguments: [id]),
              identity.isOperator || app.owner == identity.tenant
        else { throw CanonicalError.notFound(kind: "application", id: String(id)) }
        return app
    }

    static func list(_ window: ListWindow, as identity: Identity, in db: Database) throws -> ApplicationPage {
        var request = ImageApplication.all()
        if !identity.isOperator { request = request.filter(Column("owner") == identity.tenant) }
        if let status = window.status { request = request.filter(Column("status") == status) }
        if let words = window.keywords, !words.isEmpty {
            let pattern = "%" + words.replacingOccurrences(of: "%", with: "") + "%"
            request = request.filter(Column("name").like(pattern) || Column("displayName").like(pattern))
        }
        let total = try request.fetchCount(db)
        let items = try window.ordering(request).limit(window.limit, offset: window.offset).fetchAll(db)
        return ApplicationPage(items: items, total: total)
    }

    static func update(_ id: Int64, _ patch: ApplicationPatch, as identity: Identity, now: Date,
                       in db: Database) throws -> ImageApplication {
        var app = try find(id, as: identity, in: db)
        guard app.status == .actived else { throw CanonicalError.notFound(kind: "application", id: String(id)) }
        if let name = patch.name {
            try ListWindow.validateName(name, max: 128)
            try requireUniqueName(name, except: id, in: db)
            app.name = name
        }
        if let v = patch.displayName { app.displayName = v }
        if let v = patch.description { app.description = v }
        if let v = patch.picture { app.picture = v }
        if let v = patch.applications { app.applications = v }
        app.updatedAt = now
        try app.update(db)
        return app
    }

    /// Marks the application DELETED; htaiyun lists can still ask for deleted ones.
    static func delete(_ id: Int64, as identity: Identity, now: Date, in db: Database) throws -> ImageApplication {
        var app = try find(id, as: identity, in: db)
        guard app.status == .actived else { throw CanonicalError.notFound(kind: "application", id: String(id)) }
        app.status = .deleted
        app.updatedAt = now
        try app.update(db)
        return app
    }

    static func requireUniqueName(_ name: String, except id: Int64?, in db: Database) throws {
        var others = ImageApplication.filter(Column("name") == name).filter(Column("status") == ApplicationStatus.actived)
        if let id { others = others.filter(Column("id") != id) }
        if try !others.isEmpty(db) {
            throw CanonicalError.conflict(field: "name", message: "has already been taken")
        }
    }
}
