import Foundation
import IMSModel
import IMSService
import PostgresNIO

extension PGStore: ImageStore {
    public func image(_ key: ImageKey, reach: ImageReach, within: [ImageCondition]) async throws -> ImageView? {
        var sql = PGSQL()
        var clauses: [String] = []
        switch key {
        case .row(let id): clauses.append("image.id = \(sql.bind(id))")
        case .ref(let ref):
            guard PGSQL.storable(ref) else { return nil }
            clauses.append("image.imageId = \(sql.bind(ref))")
        }
        if let r = PGImageSQL.reach(reach, &sql) { clauses.append(r) }
        for c in within { clauses.append(PGImageSQL.condition(c, &sql)) }
        sql.append(PGImageSQL.selectView + PGImageSQL.whereClause(clauses))
        return try await db.read { try await $0.row(sql, logger: logger) { try ImageView(pg: &$0) } }
    }

    public func images(_ query: ImageQuery, reach: ImageReach) async throws -> ImagePage {
        /// The WHERE of the base collection, or of the matches too.
        func clauses(matching: Bool, _ sql: inout PGSQL) -> String {
            var all: [String] = []
            if let r = PGImageSQL.reach(reach, &sql) { all.append(r) }
            for c in query.base { all.append(PGImageSQL.condition(c, &sql)) }
            if matching {
                for c in query.filters { all.append(PGImageSQL.condition(c, &sql)) }
                if let m = query.match { all.append(PGConditions.tree(m, &sql) { c, s in PGImageSQL.condition(c, &s) }) }
                if let word = query.searchWord, !word.isEmpty { all.append(PGImageSQL.searchWord(word, &sql)) }
            }
            return PGImageSQL.whereClause(all)
        }
        let plain = query.filters.isEmpty && query.match == nil && query.searchWord == nil
        return try await db.read { connection in
            /// The kept count of the base collection (`PGImageCount`), when it can say it.
            func keptTotal() async throws -> Int? {
                var sql = PGSQL()
                guard PGImageCount.total(query.base, reach: reach, &sql) else { return nil }
                return try await connection.row(sql, logger: logger) { try Int($0.next(Int64.self)) } ?? 0
            }
            func count(matching: Bool) async throws -> Int {
                if !matching || plain, let kept = try await keptTotal() { return kept }
                var sql = PGSQL()
                sql.append("SELECT count(*) FROM image" + PGImageSQL.joins + clauses(matching: matching, &sql))
                return try await connection.row(sql, logger: logger) { try Int($0.next(Int64.self)) } ?? 0
            }
            // A deep page of a kept total is read from whichever end of the order is nearer,
            // so the last pages skip as few rows as the first.
            let known = query.offset > 0 && query.limit != nil && plain ? try await keptTotal() : nil
            var offset = query.offset, limit = query.limit, reversed = false
            if let total = known, let wanted = limit, offset > total / 2 {
                let end = min(offset + wanted, total)
                reversed = true
                offset = max(0, total - end)
                limit = max(0, end - query.offset)
            }
            var sql = PGSQL()
            if let total = known, let wanted = query.limit, query.base.isEmpty, reach == .all,
               let ascending = query.sort.creationOrderAscending {
                // Every image in creation order (51idc's list): the page's place from the kept
                // buckets (`PGImagePlaces`), at any depth.
                let window = [SortKey].creationWindow(offset: query.offset, limit: wanted, total: total, ascending: ascending)
                limit = window.count
                sql.append(PGImageSQL.selectView + " WHERE image.id IN (" + PGImagePlaces.ids(from: window.lowerBound, count: window.count, &sql) + ")"
                    + PGImageSQL.order(query.sort))
            } else if query.offset > 0 {
                // A deep page: its row ids first (from the ordering index alone where the clauses
                // read only what it holds), then only those rows read whole.
                sql.append(PGImageSQL.selectView + " WHERE image.id IN (SELECT image.id FROM image" + PGImageSQL.joins
                    + clauses(matching: true, &sql) + PGImageSQL.order(query.sort, reversed: reversed))
                if let limit { sql.append(" LIMIT \(sql.bind(Int64(limit)))") }
                sql.append(" OFFSET \(sql.bind(Int64(offset))))" + PGImageSQL.order(query.sort))
            } else {
                sql.append(PGImageSQL.selectView + clauses(matching: true, &sql) + PGImageSQL.order(query.sort))
                if let limit { sql.append(" LIMIT \(sql.bind(Int64(limit)))") }
            }
            let items = limit == 0 ? [] : try await connection.rows(sql, logger: logger) { try ImageView(pg: &$0) }
            // A page that is not full ends the matches, so it tells the total without a count.
            let total = if let known { known }
                else if items.count < (query.limit ?? .max) && !(items.isEmpty && query.offset > 0) { query.offset + items.count }
                else { try await count(matching: true) }
            let scopeTotal: Int? = !query.countsScope ? nil : plain ? total : try await count(matching: false)
            return ImagePage(items: items, total: total, scopeTotal: scopeTotal)
        }
    }

    public func resolve(_ refs: [String], reach: ImageReach) async throws -> [ImageRefMatch?] {
        guard !refs.isEmpty else { return [] }
        var sql = PGSQL()
        // A ref that is an integer names a row id first; others carry an id no row has.
        let texts = refs.map { PGSQL.storable($0) ? $0 : "" }
        let rows = refs.map { Int64($0) ?? -1 }
        let textBind = sql.bind(texts), rowBind = sql.bind(rows)
        let scope = PGImageSQL.reach(reach, &sql).map { " AND " + $0 } ?? ""
        sql.append("""
            SELECT r.ord, image.id, image.imageId, image.owner,
                   EXISTS (SELECT 1 FROM imageShare s WHERE s.imageId = image.imageId)
            FROM unnest(\(textBind)::text[], \(rowBind)::bigint[]) WITH ORDINALITY AS r(ref, rowid, ord)
            JOIN image ON (image.id = r.rowid OR image.imageId = r.ref)\(scope)
            ORDER BY r.ord, (image.id = r.rowid) DESC
            """)
        var answers = [ImageRefMatch?](repeating: nil, count: refs.count)
        try await db.read { connection in
            for try await row in try await connection.query(sql.query, logger: logger) {
                var c = PGColumns(row)
                let index = Int(try c.next(Int64.self)) - 1
                guard answers[index] == nil else { continue }
                answers[index] = ImageRefMatch(rowID: try c.next(), imageId: try c.next(), owner: try c.next(), isShared: try c.next())
            }
        }
        return answers
    }

    public func insert(_ image: Image, job: Job?, unique keys: [ImageUniqueKey]) async throws -> ImageView {
        // Grouped when the indexes keep the keys (no lock to take), nothing is written beside it
        // and no row id is handed; else, or when a refusal could not be named, under the locks.
        // Not while seeding: the group's writer carries no task-locals, so it would wait for the
        // store to open, which the seeding holds shut.
        if job == nil, image.id == nil, PGImageSQL.indexed(keys), !PGDatabase.preparing,
           let view = try await imageInserts.write((image, keys), { batch in await self.insertGrouped(batch) }) {
            return view
        }
        return try await insertLocked(image, job: job, unique: keys)
    }

    /// Every image of `batch` in one autocommitted statement; each answers its stored view, the
    /// refusal of its imageId or key (`checkUnique`, named after the statement skipped it), or
    /// nil when it must be inserted alone: no refusal named (the row it met went meanwhile) or a
    /// statement the server refused (one bad image must not fail the others).
    func insertGrouped(_ batch: [(Image, [ImageUniqueKey])]) async -> [Result<ImageView?, any Error>] {
        do {
            return try await db.read { connection in
                var sql = PGSQL()
                let rows = batch.map { image, _ in "(" + image.pgValues(&sql).joined(separator: ", ") + ")" }
                let names = PGImageSQL.fields.map(\.rawValue)
                let columns = names.dropFirst().joined(separator: ", ")
                sql.append("WITH inserted AS (INSERT INTO image (\(columns), keyed) SELECT v.*, true FROM (VALUES "
                    + rows.joined(separator: ", ") + ") AS v (\(columns)) WHERE NOT " + PGImageSQL.unkeyedTwin
                    + " ON CONFLICT DO NOTHING RETURNING \(names.joined(separator: ", "))) "
                    + PGImageSQL.selectView(from: "inserted"))
                var stored: [String: ImageView] = [:]
                for view in try await connection.rows(sql, logger: logger, { try ImageView(pg: &$0) }) {
                    stored[view.image.imageId] = view
                }
                var outcomes: [Result<ImageView?, any Error>] = []
                for (image, keys) in batch {
                    // Two of one batch with one imageId: the first in the statement was written.
                    if let view = stored.removeValue(forKey: image.imageId) {
                        outcomes.append(.success(view))
                        continue
                    }
                    do {
                        try await checkUnique(image, keys, connection)
                        outcomes.append(.success(nil))
                    } catch {
                        outcomes.append(.failure(error))
                    }
                }
                return outcomes
            }
        } catch let error as PSQLError where error.serverInfo != nil {
            return batch.map { _ in .success(nil) }
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    /// One insert in its own transaction, under the locks of its keys (`checkUnique`).
    func insertLocked(_ image: Image, job: Job?, unique keys: [ImageUniqueKey]) async throws -> ImageView {
        return try await db.write(keys: Self.locks(image, keys)) { connection in
            try await checkUnique(image, keys, connection)
            var sql = PGSQL()
            let values = image.pgValues(&sql)
            let idColumn = image.id == nil ? "" : "id, "
            let idValue = image.id.map { sql.bind($0) + ", " } ?? ""
            sql.append("INSERT INTO image (\(idColumn)\(PGImageSQL.fields.dropFirst().map(\.rawValue).joined(separator: ", ")), keyed) "
                + "VALUES (\(idValue)\(values.joined(separator: ", ")), \(PGImageSQL.keyed(keys))) RETURNING id")
            let inserted: Int64?
            do {
                inserted = try await connection.row(sql, logger: logger) { try $0.next(Int64.self) }
            } catch {
                // Another gateway's insert took the imageId, or a grouped insert (no lock) a key,
                // since the check.
                throw PGImageSQL.refusal(error) ?? error
            }
            guard let id = inserted else { throw CanonicalError.internal("insert answered no row id") }
            if image.id != nil { try await advanceIdentity("image", connection) }
            if let job { try await insertJob(job, connection) }
            return try await view(row: id, connection)
        }
    }

    public func update(_ image: Image, fields: Set<ImageField>, unique keys: [ImageUniqueKey]) async throws -> ImageView {
        guard let id = image.id else { throw CanonicalError.notFound(kind: "image", id: "") }
        let written = fields.union([.updatedAt])
        return try await db.write(keys: Self.locks(image, keys)) { connection in
            // The row as the write leaves it, in the fields the keys read.
            var merged = try await view(row: id, connection).image
            let given = ImageView(image: image)
            for field in Set(keys.flatMap(\.fields)).intersection(written) { merged.set(field, given.value(field)) }
            try await checkUnique(merged, keys, connection)
            var sql = PGSQL()
            let values = image.pgValues(&sql)
            // Every value is bound, so each column not written keeps its stored value through a
            // CASE that never takes the bind (PostgreSQL then types the bind as the column).
            let sets = zip(PGImageSQL.fields.dropFirst(), values).map { field, value in
                written.contains(field) ? "\(field.rawValue) = \(value)"
                    : "\(field.rawValue) = CASE WHEN false THEN \(value) ELSE \(field.rawValue) END"
            }.joined(separator: ", ")
            sql.append("UPDATE image SET \(sets), keyed = \(PGImageSQL.keyed(keys)) WHERE id = \(sql.bind(id)) RETURNING 1")
            let changed: Int
            do {
                changed = try await connection.run(sql, logger: logger)
            } catch {
                // A grouped insert (no lock) took a key since the check.
                throw PGImageSQL.refusal(error) ?? error
            }
            guard changed > 0 else { throw CanonicalError.notFound(kind: "image", id: String(id)) }
            return try await view(row: id, connection)
        }
    }

    public func checkUnique(_ image: Image, keys: [ImageUniqueKey]) async throws {
        try await db.read { connection in try await checkUnique(image, keys, connection) }
    }

    public func change(_ imageId: String, _ change: ImageStateChange) async throws -> ImageView? {
        try await db.write { connection in try await applyChange(imageId, change, connection) }
    }

    func applyChange(_ imageId: String, _ change: ImageStateChange, _ connection: PostgresConnection) async throws -> ImageView? {
            var sql = PGSQL()
            let at = sql.bind(PGSQL.time(change.at))
            var sets = ["status = \(sql.bind(change.status.rawValue))", "updatedAt = \(at)"]
            if let t = change.transitionStatus { sets.append("transitionStatus = \(sql.bind(t))") }
            if change.touchesStatusTime { sets.append("statusTime = \(at)") }
            if let m = change.errMessage { sets.append("errMessage = \(sql.bind(m))") }
            if let s = change.size { sets.append("size = \(sql.bind(s))") }
            if let c = change.checksum { sets.append("checksum = \(sql.bind(c))") }
            sql.append("UPDATE image SET \(sets.joined(separator: ", ")) WHERE imageId = \(sql.bind(imageId)) RETURNING id")
            guard let id = try await connection.row(sql, logger: logger, { try $0.next(Int64.self) }) else { return nil }
            return try await view(row: id, connection)
    }

    public func deleteAll(_ imageIds: [String], unless holds: [ImageHold]) async throws -> Bool {
        let ids = Array(Set(imageIds))
        guard !ids.isEmpty else { return true }
        guard ids.allSatisfy(PGSQL.storable) else { return false }
        return try await db.write { connection in
            var check = PGSQL()
            let list = check.bind(ids)
            check.append("SELECT count(*) FROM image WHERE imageId = ANY(\(list)::text[])"
                + holds.map { " AND NOT " + PGImageSQL.hold($0) }.joined())
            guard try await connection.row(check, logger: logger, { try $0.next(Int64.self) }) == Int64(ids.count) else { return false }
            var delete = PGSQL()
            delete.append("DELETE FROM image WHERE imageId = ANY(\(delete.bind(ids))::text[])")
            try await connection.run(delete, logger: logger)
            return true
        }
    }

    public func hasImages(under kind: CatalogEntry.Kind, id: Int64) async throws -> Bool {
        try await db.read { try await hasImages(under: kind, id: id, $0) }
    }

    /// On `connection`, so a catalogue delete checks inside its own transaction.
    func hasImages(under kind: CatalogEntry.Kind, id: Int64, _ connection: PostgresConnection) async throws -> Bool {
        var sql = PGSQL()
        sql.append("SELECT 1 FROM image WHERE \(kind.imageField.rawValue) = \(sql.bind(id)) LIMIT 1")
        return try await connection.exists(sql, logger: logger)
    }

    func view(row id: Int64, _ connection: PostgresConnection) async throws -> ImageView {
        var sql = PGSQL()
        sql.append(PGImageSQL.selectView + " WHERE image.id = \(sql.bind(id))")
        guard let view = try await connection.row(sql, logger: logger, { try ImageView(pg: &$0) }) else {
            throw CanonicalError.notFound(kind: "image", id: String(id))
        }
        return view
    }

    /// The locks of the keys `image` holds: writes of the same values wait for each other,
    /// others do not (PGDatabase.write(keys:)).
    static func locks(_ image: Image, _ keys: [ImageUniqueKey]) -> [String] {
        keys.compactMap { key in key.values(of: image).map { ":image-\(key.refusal.rawValue):" + JSONValue.array($0).serialized } }
    }

    /// The refusals of `insert` and `update`, checked under the locks of their keys (an
    /// `imageId`, which no lock covers, and a key a grouped insert took meanwhile, are refused
    /// again by their unique indexes at the write); for a grouped insert its index skipped,
    /// what names the refusal.
    func checkUnique(_ image: Image, _ keys: [ImageUniqueKey], _ connection: PostgresConnection) async throws {
        let me = image.id ?? -1
        var taken = PGSQL()
        taken.append("SELECT 1 FROM image WHERE imageId = \(taken.bind(image.imageId)) AND id <> \(taken.bind(me))")
        if try await connection.exists(taken, logger: logger) { throw CanonicalError.taken(ImageField.imageId.rawValue) }
        for key in keys {
            guard let values = key.values(of: image) else { continue }
            var sql = PGSQL()
            var clauses: [String] = []
            for (field, value) in zip(key.fields, values) {
                switch value {
                case .null: clauses.append("\(field.rawValue) IS NULL")
                case .int(let n): clauses.append("\(field.rawValue) = \(sql.bind(n))")
                case .string(let text) where PGSQL.storable(text): clauses.append("\(field.rawValue) = \(sql.bind(text))")
                default: clauses.append("FALSE")
                }
            }
            sql.append("SELECT 1 FROM image WHERE \(clauses.joined(separator: " AND ")) AND id <> \(sql.bind(me)) LIMIT 1")
            if try await connection.exists(sql, logger: logger) { throw CanonicalError.taken(key.refusal.rawValue) }
        }
    }
}
