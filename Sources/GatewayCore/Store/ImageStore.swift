import Foundation
import GRDB

/// Image commands against an open database access.
enum ImageStore {
    static func create(_ patch: ImagePatch, as identity: Identity, now: Date, in db: Database) throws -> ImageView {
        var patch = patch
        // Made under a parent named by name (`/api/compute_resources/libvirt/images`).
        for (nameField, (idField, kind)) in parentNames {
            guard let ref = patch.removeValue(forKey: nameField)?.stringValue else { continue }
            patch[idField] = .int(try CatalogStore.find(CatalogSelector(kind, ref), in: db).id)
        }
        try ImageRules.validate(patch, creating: true)
        var image = Image(imageId: try newImageId(db), name: "", now: now)
        image.owner = identity.tenant
        apply(patch, to: &image, as: identity)
        // The dialect says what state a new image starts in (CECSTACK metadata: queued).
        if let status = patch[.status]?.stringValue.flatMap(ImageStatus.init(rawValue:)) { image.status = status }
        if let source = patch[.sourceType]?.stringValue { image.sourceType = source }
        try checkReferences(image, in: db)
        try checkUnique(image, in: db)
        try image.insert(db)
        return try view(rowID: image.id!, in: db)
    }

    static func capture(instance: String, _ patch: ImagePatch, as identity: Identity, now: Date,
                        in db: Database) throws -> ImageView {
        var patch = patch
        if patch[.name] == nil { patch[.name] = .string(instance) }
        var image = Image(imageId: try newImageId(db), name: "", now: now)
        image.owner = identity.tenant
        image.sourceType = "instance"
        image.provider = "self"
        // Made from the instance by the job that answers this request.
        image.status = .saving
        image.transitionStatus = "creating"
        try ImageRules.validate(patch, creating: true)
        apply(patch, to: &image, as: identity)
        try image.insert(db)
        return try view(rowID: image.id!, in: db)
    }

    static func find(_ selector: ImageSelector, as identity: Identity, in db: Database) throws -> ImageView {
        var sql = ImageSQL()
        sql.scope(.visible, for: identity)
        if let rowID = Int64(selector.ref) {
            sql.add("image.id = ?", [rowID])
        } else {
            sql.add("image.imageId = ?", [selector.ref])
        }
        let within = try resolveParents(selector.within, in: db)
        for c in within { sql.condition(c) }
        guard let found = try ImageView.fetchOne(db.cachedStatement(sql: ImageSQL.select + sql.whereClause), arguments: sql.arguments) else {
            try requireParents(within, in: db)
            throw CanonicalError.notFound(kind: "image", id: selector.ref)
        }
        return found
    }

    /// Like `find`, but only images the caller may change: its own tenant's (any, for an operator).
    static func findWritable(_ selector: ImageSelector, as identity: Identity, in db: Database) throws -> ImageView {
        let found = try find(selector, as: identity, in: db)
        guard identity.isOperator || found.image.owner == identity.tenant else {
            throw CanonicalError.forbidden("image \(selector.ref) belongs to another tenant")
        }
        return found
    }

    static func list(_ query: ImageQuery, as identity: Identity, in db: Database) throws -> ImagePage {
        let parents = try resolveParents(query.base, in: db)
        try requireParents(parents, in: db)
        var base = ImageSQL()
        base.scope(query.scope, for: identity)
        for c in parents { base.condition(c) }
        var matching = base
        for c in query.filters { matching.condition(c) }
        if let m = query.match { matching.match(m) }
        if let word = query.searchWord, !word.isEmpty { matching.searchWord(word) }

        func fetch(_ sort: [SortKey], limit: Int?, offset: Int) throws -> [ImageView] {
            let page = matching.page(sort, limit: limit, offset: offset)
            return try ImageView.fetchAll(db.cachedStatement(sql: page.sql), arguments: page.arguments)
        }
        func count(_ sql: ImageSQL) throws -> Int {
            try Int.fetchOne(db.cachedStatement(sql: sql.count), arguments: sql.arguments) ?? 0
        }
        let items: [ImageView]
        let total: Int
        if let limit = query.limit, query.offset > 0 {
            // OFFSET walks the rows it skips: a window in the second half is read from the far
            // end, backwards, with as many rows to skip as lie after it (at 1M images the last
            // page took 36 ms against 16 for the first). That needs the total first.
            total = try count(matching)
            // Compared before any subtraction: an offset near Int.max must not overflow.
            let after = query.offset >= total ? 0 : total - query.offset - limit
            if query.offset >= total {
                items = []
            } else if after < query.offset {
                items = try fetch(ImageSQL.reversed(query.sort), limit: min(limit, total - query.offset), offset: max(after, 0)).reversed()
            } else {
                items = try fetch(query.sort, limit: limit, offset: query.offset)
            }
        } else {
            items = try fetch(query.sort, limit: query.limit, offset: query.offset)
            // A page that is not full ends the matches, so it tells the total without a COUNT
            // (most lookups by id, and every short list).
            total = items.count < (query.limit ?? .max) && !(items.isEmpty && query.offset > 0)
                ? query.offset + items.count
                : try count(matching)
        }
        let scopeTotal: Int? = !query.countsScope ? nil
            : query.filters.isEmpty && query.searchWord == nil && query.match == nil ? total
            : try count(base)
        return ImagePage(items: items, total: total, scopeTotal: scopeTotal)
    }

    static func update(_ selector: ImageSelector, _ patch: ImagePatch, as identity: Identity, now: Date,
                       in db: Database) throws -> ImageView {
        try ImageRules.validate(patch, creating: false)
        var image = try findWritable(selector, as: identity, in: db).image
        // The stored bytes are in one format; relabelling them would lie (CECSTACK's rule).
        if let format = patch[.diskFormat]?.stringValue, format != image.diskFormat {
            throw CanonicalError.invalidParameter(field: ImageField.diskFormat.rawValue,
                                                  message: "must equal the image's disk format (\(image.diskFormat))")
        }
        apply(patch, to: &image, as: identity)
        image.updatedAt = now
        try checkReferences(image, in: db)
        try checkUnique(image, in: db)
        try image.update(db)
        return try view(rowID: image.id!, in: db)
    }

    static func delete(_ selector: ImageSelector, as identity: Identity, in db: Database) throws -> ImageView {
        let found = try findWritable(selector, as: identity, in: db)
        try requireUnshared(found.image, in: db)
        try Image.deleteOne(db, key: found.image.id)
        return found
    }

    /// An image others were given cannot be deleted from under them (CECSTACK's rule).
    static func requireUnshared(_ image: Image, in db: Database) throws {
        if try !ImageShare.filter(Column("imageId") == image.imageId).isEmpty(db) {
            throw CanonicalError.rejected(.imageIsShared, "image \(image.imageId) is shared")
        }
    }

    /// Moves an image to a new state (a job finishing its work).
    static func setStatus(_ imageId: String, _ status: ImageStatus, now: Date, in db: Database) throws -> ImageView {
        guard var image = try ImageStore.image(imageId: imageId, in: db) else {
            throw CanonicalError.notFound(kind: "image", id: imageId)
        }
        image.status = status
        image.transitionStatus = ""
        image.updatedAt = now
        image.statusTime = now
        try image.update(db)
        return try view(rowID: image.id!, in: db)
    }

    /// One transaction: every id must exist and be the caller's, or nothing is deleted. The refs
    /// go to SQLite as one JSON array (`json_each`), so a 10,000-id batch binds one argument and
    /// runs two statements. Answers the deleted images' references.
    static func batchDelete(_ refs: [String], as identity: Identity, in db: Database) throws -> [String] {
        let targets = try batchDeleteTargets(refs, as: identity, in: db)
        try db.execute(sql: "DELETE FROM image WHERE id IN (SELECT value FROM json_each(?))",
                       arguments: [JSONValue.array(targets.map { .int($0.rowID) }).serialized])
        return targets.map(\.imageId)
    }

    /// A queued batch delete, run by its job: the refs were resolved to `imageIds` and checked
    /// when it was queued (`batchDeleteTargets`). Deletes those images if every one is still
    /// there and unshared, and answers their ids; if not, nothing is deleted (`nil`) and the
    /// command's full check names what changed. (Checking again first cost 11–19 ms of a
    /// 10,000-image job.) The job runs as an operator, so ownership needs no check here. The
    /// ids go to SQLite as the job stored them.
    static func deleteQueued(_ imageIds: StringList, in db: Database) throws -> [String]? {
        let ids = imageIds.strings
        var deleted = false
        try db.inSavepoint {
            try db.execute(sql: """
                DELETE FROM image WHERE imageId IN (SELECT value FROM json_each(?))
                AND NOT EXISTS (SELECT 1 FROM imageShare WHERE imageShare.imageId = image.imageId)
                """, arguments: [imageIds.jsonText])
            deleted = db.changesCount == ids.count
            return deleted ? .commit : .rollback
        }
        return deleted ? ids : nil
    }

    /// An image a batch names: only what the checks need, not the whole row.
    struct Target {
        var rowID: Int64
        var imageId: String
    }

    /// What `batchDelete` would delete, with every check it makes, changing nothing: so a
    /// batch can be refused before it is queued without deleting it twice. A ref is an image
    /// id, or a row id (which wins when a number is both); the first ref that fails a check
    /// names the error, and a ref given twice is deleted once.
    static func batchDeleteTargets(_ refs: [String], as identity: Identity, in db: Database) throws -> [Target] {
        var visible = ImageSQL()
        visible.scope(.visible, for: identity)
        let scope = visible.clauses.map { " AND " + $0 }.joined()
        // Per ref and the image it names: 0 when found by row id (listed first), 1 by image id.
        func found(_ order: Int, on match: String) -> String {
            """
            SELECT ref.key, \(order), image.id, image.imageId, image.owner = ?,
                   EXISTS (SELECT 1 FROM imageShare WHERE imageShare.imageId = image.imageId)
            FROM json_each(?) ref JOIN image ON \(match)\(scope)
            """
        }
        let sql = found(0, on: "ref.type = 'integer' AND image.id = ref.value") + " UNION ALL "
            + found(1, on: "image.imageId = ref.value") + " ORDER BY 1, 2"
        let list = JSONValue.array(refs.map { ref in Int64(ref).map { .int($0) } ?? .string(ref) }).serialized
        var arguments = StatementArguments()
        for _ in 0..<2 { arguments += [identity.tenant, list] + visible.arguments }

        var targets: [Target] = []
        targets.reserveCapacity(refs.count)
        var deleted = Set<Int64>(minimumCapacity: refs.count)
        var next = 0  // the first ref not yet matched to an image
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            let index: Int = try row.decode(atIndex: 0)
            guard index >= next else { continue }  // a ref matched by row id; its image id match is not used
            if index > next { throw CanonicalError.notFound(kind: "image", id: refs[next]) }
            next = index + 1
            let target = Target(rowID: try row.decode(atIndex: 2), imageId: try row.decode(atIndex: 3))
            let owned: Bool = try row.decode(atIndex: 4)
            guard identity.isOperator || owned else {
                throw CanonicalError.forbidden("image \(refs[index]) belongs to another tenant")
            }
            if try row.decode(atIndex: 5) as Bool {
                throw CanonicalError.rejected(.imageIsShared, "image \(target.imageId) is shared")
            }
            if deleted.insert(target.rowID).inserted { targets.append(target) }
        }
        if next < refs.count { throw CanonicalError.notFound(kind: "image", id: refs[next]) }
        return targets
    }

    // MARK: - Helpers

    /// The stored image (without catalogue names), for changes that write it back.
    static func image(imageId: String, in db: Database) throws -> Image? {
        try Image.fetchOne(db.cachedStatement(sql: ImageSQL.selectImage + " WHERE imageId = ?"), arguments: [imageId])
    }

    static func view(imageId: String, in db: Database) throws -> ImageView {
        guard let v = try ImageView.fetchOne(db.cachedStatement(sql: ImageSQL.select + " WHERE image.imageId = ?"), arguments: [imageId]) else {
            throw CanonicalError.notFound(kind: "image", id: imageId)
        }
        return v
    }

    static func view(rowID: Int64, in db: Database) throws -> ImageView {
        guard let v = try ImageView.fetchOne(db.cachedStatement(sql: ImageSQL.select + " WHERE image.id = ?"), arguments: [rowID]) else {
            throw CanonicalError.notFound(kind: "image", id: String(rowID))
        }
        return v
    }

    static func apply(_ patch: ImagePatch, to image: inout Image, as identity: Identity) {
        for (field, value) in patch where field.isWritable {
            // Only an operator may hand an image to another tenant.
            if field == .owner, !identity.isOperator { continue }
            if field == .owner, value.stringValue?.isEmpty ?? true { continue }
            image.set(field, value)
        }
    }

    static func newImageId(_ db: Database) throws -> String {
        while true {
            let candidate = "img-" + RandomID.make(length: 8)
            if try !exists("SELECT 1 FROM image WHERE imageId = ?", [candidate], in: db) { return candidate }
        }
    }

    /// Foreman's rules: name unique per compute resource and operating system, uuid unique per
    /// compute resource.
    static func checkUnique(_ image: Image, in db: Database) throws {
        guard let cr = image.computeResourceId else { return }
        if try exists(nameTaken, [cr, image.name, image.id, image.operatingsystemId], in: db) {
            throw CanonicalError.conflict(field: ImageField.name.rawValue, message: "has already been taken")
        }
        if !image.uuid.isEmpty, try exists(uuidTaken, [image.uuid, cr, image.id], in: db) {
            throw CanonicalError.conflict(field: ImageField.uuid.rawValue, message: "has already been taken")
        }
    }

    /// `checkUnique`'s queries. The unary `+` keeps SQLite on the (computeResourceId, name) and
    /// uuid indexes: planned on its own it chose the operating-system index (or the compute
    /// resource's), and that is a scan of every such image on every create.
    static let nameTaken = "SELECT 1 FROM image WHERE computeResourceId = ? AND name = ? AND +id IS NOT ? AND +operatingsystemId IS ?"
    static let uuidTaken = "SELECT 1 FROM image WHERE uuid = ? AND +computeResourceId = ? AND +id IS NOT ?"

    /// Whether a (cached, prepared once per connection) query finds a row: the checks every
    /// create and update makes.
    static func exists(_ sql: String, _ arguments: StatementArguments, in db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: sql + " LIMIT 1"), arguments: arguments) != nil
    }

    static func catalogEntryExists(_ kind: CatalogEntry.Kind, _ id: Int64, in db: Database) throws -> Bool {
        try exists("SELECT 1 FROM catalogEntry WHERE kind = ? AND id = ?", [kind.rawValue, id], in: db)
    }

    static let parentFields: [(ImageField, CatalogEntry.Kind)] = [
        (.computeResourceId, .computeResource), (.operatingsystemId, .operatingsystem), (.architectureId, .architecture),
    ]

    /// An image may only hang under catalogue entries that exist.
    static func checkReferences(_ image: Image, in db: Database) throws {
        let ids = [image.computeResourceId, image.operatingsystemId, image.architectureId]
        for ((field, kind), id) in zip(parentFields, ids) {
            guard let id else { continue }
            if try !catalogEntryExists(kind, id, in: db) {
                throw CanonicalError.invalidParameter(field: field.rawValue, message: "is invalid")
            }
        }
    }

    /// The parents' name fields, with the id field and kind each names.
    static let parentNames: [ImageField: (ImageField, CatalogEntry.Kind)] = [
        .computeResourceName: (.computeResourceId, .computeResource), .operatingsystemName: (.operatingsystemId, .operatingsystem),
        .architectureName: (.architectureId, .architecture),
    ]

    /// Parents named by name or title in a path (Foreman finds them either way) as conditions on
    /// their ids; one that does not exist makes the collection itself not found.
    static func resolveParents(_ conditions: [ImageCondition], in db: Database) throws -> [ImageCondition] {
        try conditions.map { c in
            guard c.op == .eq, let (idField, kind) = parentNames[c.field], case .string(let ref)? = c.values.first else { return c }
            return .eq(idField, .int(try CatalogStore.find(CatalogSelector(kind, ref), in: db).id))
        }
    }

    /// A collection under a parent that does not exist is itself not found.
    static func requireParents(_ conditions: [ImageCondition], in db: Database) throws {
        for c in conditions where c.op == .eq {
            guard let kind = parentFields.first(where: { $0.0 == c.field })?.1, case .int(let id) = c.values.first else { continue }
            if try !catalogEntryExists(kind, id, in: db) {
                throw CanonicalError.notFound(kind: kind.rawValue, id: String(id))
            }
        }
    }
}
