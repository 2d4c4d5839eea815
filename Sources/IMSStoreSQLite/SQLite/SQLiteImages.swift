import Foundation
import GRDB
import IMSModel
import IMSService

/// Image statements of the SQLite store, run inside an open database access.
enum SQLiteImages {
    static func find(_ key: ImageKey, reach: ImageReach, within: [ImageCondition], in db: Database) throws -> ImageView? {
        var sql = ImageSQL()
        sql.scope(reach)
        switch key {
        case .row(let rowID): sql.add("image.id = ?", [rowID])
        case .ref(let ref):
            guard !ref.holdsNUL else { return nil }
            sql.add("image.imageId = ?", [ref])
        }
        for c in within { sql.condition(c) }
        return try ImageView.fetchOne(db.cachedStatement(sql: ImageSQL.select + sql.whereClause), arguments: sql.arguments)
    }

    static func list(_ query: ImageQuery, reach: ImageReach, in db: Database) throws -> ImagePage {
        var base = ImageSQL()
        base.scope(reach)
        for c in query.base { base.condition(c) }
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
        // With no condition beyond the reach, the kept counts answer without a scan.
        let unfiltered = query.filters.isEmpty && query.match == nil && (query.searchWord ?? "").isEmpty
        let unconditioned = query.base.isEmpty && unfiltered
        /// The base's images: from kept counts where they say it (no base, or one Foreman parent).
        func countBase() throws -> Int {
            if query.base.isEmpty, let kept = try ImageCounts.total(reach, in: db) { return kept }
            if let kept = try ImageCounts.underParent(query.base, reach: reach, in: db) { return kept }
            return try count(base)
        }
        func countMatching() throws -> Int { unfiltered ? try countBase() : try count(matching) }
        let items: [ImageView]
        let total: Int
        if unconditioned, reach == .all, let limit = query.limit, let ascending = query.sort.creationOrderAscending {
            // Every image in creation order (51idc's list): the page's place from the kept buckets.
            total = try ImagePlaces.total(in: db)
            let window = [SortKey].creationWindow(offset: query.offset, limit: limit, total: total, ascending: ascending)
            let ids = try ImagePlaces.ids(from: window.lowerBound, count: window.count, total: total, in: db)
            items = try ImageView.fetchAll(db.cachedStatement(sql: ImageSQL.select + " WHERE image.id IN (SELECT value FROM json_each(?))"
                                                                + ImageSQL.order(query.sort)),
                                           arguments: [JSONValue.array(ids.map { .int($0) }).serialized])
        } else if let limit = query.limit, query.offset > 0 {
            // OFFSET walks the rows it skips: a window in the second half is read from the far
            // end, backwards, with as many rows to skip as lie after it (at 1M images the last
            // page took 36 ms against 16 for the first). That needs the total first.
            total = try countMatching()
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
                : try countMatching()
        }
        let scopeTotal: Int? = !query.countsScope ? nil
            : unfiltered ? total
            : try countBase()
        return ImagePage(items: items, total: total, scopeTotal: scopeTotal)
    }

    /// One statement for every ref: per ref and the image it names, 0 when found by row id
    /// (listed first, and it wins), 1 by image id. The refs go to SQLite as one JSON array
    /// (`json_each`), so a 10,000-ref batch binds one argument.
    static func resolve(_ refs: [String], reach: ImageReach, in db: Database) throws -> [ImageRefMatch?] {
        // A ref holding NUL names nothing (SQLite would compare the text cut at the NUL).
        let refs = refs.map { $0.holdsNUL ? "" : $0 }
        var visible = ImageSQL()
        visible.scope(reach)
        let scope = visible.clauses.map { " AND " + $0 }.joined()
        func found(_ order: Int, on match: String) -> String {
            """
            SELECT ref.key, \(order), image.id, image.imageId, image.owner,
                   EXISTS (SELECT 1 FROM imageShare WHERE imageShare.imageId = image.imageId)
            FROM json_each(?) ref JOIN image ON \(match)\(scope)
            """
        }
        let sql = found(0, on: "ref.type = 'integer' AND image.id = ref.value") + " UNION ALL "
            + found(1, on: "image.imageId = ref.value") + " ORDER BY 1, 2"
        let list = JSONValue.array(refs.map { ref in Int64(ref).map { .int($0) } ?? .string(ref) }).serialized
        var arguments = StatementArguments()
        for _ in 0..<2 { arguments += [list] + visible.arguments }
        var matches = [ImageRefMatch?](repeating: nil, count: refs.count)
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            let index: Int = try row.decode(atIndex: 0)
            guard matches.indices.contains(index), matches[index] == nil else { continue }
            matches[index] = ImageRefMatch(rowID: try row.decode(atIndex: 2), imageId: try row.decode(atIndex: 3),
                                           owner: try row.decode(atIndex: 4), isShared: try row.decode(atIndex: 5))
        }
        return matches
    }

    /// All-or-nothing: deletes the images only if every one is there and none meets a hold. The
    /// ids go to SQLite as one JSON array.
    static func deleteAll(_ imageIds: [String], unless holds: [ImageHold], in db: Database) throws -> Bool {
        let ids = Array(Set(imageIds))
        guard !ids.contains(where: \.holdsNUL) else { return false }
        var deleted = false
        try db.inSavepoint {
            let kept = holds.map { " AND NOT " + ImageSQL.hold($0) }.joined()
            try db.execute(sql: "DELETE FROM image WHERE imageId IN (SELECT value FROM json_each(?))" + kept,
                           arguments: [JSONValue.array(ids.map { .string($0) }).serialized])
            deleted = db.changesCount == ids.count
            return deleted ? .commit : .rollback
        }
        return deleted
    }

    /// Writes the columns a state change names.
    static func change(_ imageId: String, _ change: ImageStateChange, in db: Database) throws -> ImageView? {
        var sets = ["status = ?", "updatedAt = ?"]
        var arguments: StatementArguments = [change.status, change.at]
        if change.touchesStatusTime { sets.append("statusTime = ?"); arguments += [change.at] }
        if let v = change.transitionStatus { sets.append("transitionStatus = ?"); arguments += [v] }
        if let v = change.errMessage { sets.append("errMessage = ?"); arguments += [v] }
        if let v = change.size { sets.append("size = ?"); arguments += [v] }
        if let v = change.checksum { sets.append("checksum = ?"); arguments += [v] }
        arguments += [imageId]
        try db.execute(sql: "UPDATE image SET " + sets.joined(separator: ", ") + " WHERE imageId = ?", arguments: arguments)
        return db.changesCount == 0 ? nil : try view(imageId: imageId, in: db)
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

    /// Refuses an `imageId` another image has, then each of `keys` another image holds.
    static func checkUnique(_ image: Image, keys: [ImageUniqueKey], in db: Database) throws {
        if try exists("SELECT 1 FROM image WHERE imageId = ? AND id IS NOT ?", [image.imageId, image.id], in: db) {
            throw CanonicalError.taken(ImageField.imageId.rawValue)
        }
        for key in keys {
            guard let (sql, arguments) = taken(key, image) else { continue }
            if try exists(sql, arguments, in: db) { throw CanonicalError.taken(key.refusal.rawValue) }
        }
    }

    /// The query of another image holding `image`'s values of `key`; nil when the key does not
    /// apply to it.
    static func taken(_ key: ImageUniqueKey, _ image: Image) -> (String, StatementArguments)? {
        guard let values = key.values(of: image) else { return nil }
        var sql = "SELECT 1 FROM image WHERE "
        var arguments = StatementArguments()
        let indexed = indexes.first { Set($0).isSubset(of: key.fields) } ?? []
        for (field, value) in zip(key.fields, values) {
            // The unary `+` keeps SQLite on the index the key fits: planned on its own it chose
            // the operating-system index (or the compute resource's), and that is a scan of
            // every such image on every create.
            let column = (indexed.contains(field) ? "" : "+") + field.rawValue
            if case .null = value {
                sql += column + " IS NULL AND "
            } else {
                sql += column + " = ? AND "
                arguments += [ConditionSQL.databaseValue(value)]
            }
        }
        arguments += [image.id]
        return (sql + "+id IS NOT ?", arguments)
    }

    /// The indexes a uniqueness key may be checked through, most selective first.
    static let indexes: [[ImageField]] = [[.computeResourceId, .name], [.uuid]]

    /// Whether a (cached, prepared once per connection) query finds a row: the checks every
    /// create and update makes.
    static func exists(_ sql: String, _ arguments: StatementArguments, in db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: sql + " LIMIT 1"), arguments: arguments) != nil
    }

    /// Whether any image hangs under the catalogue entry (a delete of it is refused).
    static func hasImages(under kind: CatalogEntry.Kind, id: Int64, in db: Database) throws -> Bool {
        try exists("SELECT 1 FROM image WHERE \"\(kind.imageField.rawValue)\" = ?", [id], in: db)
    }
}
