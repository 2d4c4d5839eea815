import Foundation
import IMSModel
import IMSService
import PostgresNIO

/// The image table's columns and clauses in PostgreSQL: what `PGStore`'s image reads share.
enum PGImageSQL {
    /// The stored image fields, in column order.
    static let fields = ImageField.stored
    static let columns = fields.map { "image.\($0.rawValue)" }.joined(separator: ", ")

    static let joins = """
         LEFT JOIN catalogEntry cr ON cr.kind = 'compute_resource' AND cr.id = image.computeResourceId
         LEFT JOIN catalogEntry os ON os.kind = 'operatingsystem' AND os.id = image.operatingsystemId
         LEFT JOIN catalogEntry ar ON ar.kind = 'architecture' AND ar.id = image.architectureId
        """

    /// What `ImageView.init(pg:)` reads: the image columns, then the three catalogue titles.
    static let selectView = selectView(from: "image")

    /// `selectView` over rows of `source` shaped as the table (the rows an INSERT returns).
    static func selectView(from source: String) -> String {
        "SELECT " + columns + ", cr.title, os.title, ar.title FROM " + (source == "image" ? "image" : source + " AS image") + joins
    }

    static let joined: [ImageField: String] = [
        .computeResourceName: "cr.title", .operatingsystemName: "os.title", .architectureName: "ar.title",
    ]

    static func column(_ field: ImageField) -> String { joined[field] ?? "image.\(field.rawValue)" }

    static func type(_ field: ImageField) -> PGConditions.ColumnType {
        switch field.kind {
        case .int, .optionalInt: .integer
        case .bool: .boolean
        case .date: .time
        case .string, .oneOf: .text
        }
    }

    static func condition(_ c: ImageCondition, _ sql: inout PGSQL) -> String {
        PGConditions.clause(column(c.field), type(c.field), c.op, c.values, &sql)
    }

    /// What keeps an image from being deleted, as a clause true of a kept image.
    static func hold(_ hold: ImageHold) -> String {
        switch hold {
        case .shared: "EXISTS (SELECT 1 FROM imageShare s WHERE s.imageId = image.imageId)"
        }
    }

    /// The reach the service chose, as a clause; nil for every image.
    static func reach(_ reach: ImageReach, _ sql: inout PGSQL) -> String? {
        guard case .anyOf(let terms) = reach else { return nil }
        func fact(_ fact: ImageFact) -> String {
            switch fact {
            case .isPublic: "image.visibility = 'public'"
            case .notPublic: "image.visibility <> 'public'"
            case .ownedBy(let tenant): "image.owner = \(sql.bind(tenant))"
            case .sharedWith(let user): "image.imageId IN (SELECT s.imageId FROM imageShare s WHERE s.userId = \(sql.bind(user)))"
            }
        }
        func term(_ facts: [ImageFact]) -> String { facts.isEmpty ? "TRUE" : facts.map(fact).joined(separator: " AND ") }
        switch terms.count {
        case 0: return "FALSE"
        case 1: return term(terms[0])
        default: return "(" + terms.map { $0.count > 1 ? "(" + term($0) + ")" : term($0) }.joined(separator: " OR ") + ")"
        }
    }

    /// An exact `img-…` id, or a part of the name (ASCII case folded), found through the
    /// `pg_trgm` index on the folded name and confirmed by the same LIKE.
    static func searchWord(_ word: String, _ sql: inout PGSQL) -> String {
        guard PGSQL.storable(word) else { return "FALSE" }
        return "(image.imageId = \(sql.bind(word)) OR ims_nocase(image.name) LIKE ims_nocase(\(sql.bind(PGSQL.containsPattern(word)))) ESCAPE '\\')"
    }

    /// `ORDER BY` the keys, then the row id in the first key's direction; text by code point,
    /// NULLs first when ascending.
    static func order(_ keys: [SortKey], reversed: Bool = false) -> String {
        " ORDER BY " + keys.total.map { key in
            let descending = key.descending != reversed
            let collate = type(key.field) == .text ? " COLLATE \"C\"" : ""
            // NULLS placement only where a NULL can be: an index of a NOT NULL column serves
            // either direction only without it (the planner does not read NOT NULL there).
            let nullable = if case .optionalInt = key.field.kind { key.field != .id } else { joined[key.field] != nil }
            let nulls = nullable ? (descending ? " NULLS LAST" : " NULLS FIRST") : ""
            return column(key.field) + collate + (descending ? " DESC" : " ASC") + nulls
        }.joined(separator: ", ")
    }

    /// The uniqueness keys the schema keeps by a unique index (migration 14), by index name.
    /// A key the service states otherwise matches none and is kept under its lock, as before.
    static let uniqueIndexes: [String: ImageUniqueKey] = [
        "image_unique_name": ImageUniqueKey(.name, fields: [.computeResourceId, .name, .operatingsystemId], required: [.computeResourceId]),
        "image_unique_uuid": ImageUniqueKey(.uuid, fields: [.computeResourceId, .uuid], required: [.computeResourceId, .uuid]),
    ]

    /// Whether the indexes alone refuse what `keys` refuse, so a write of them takes no lock.
    static func indexed(_ keys: [ImageUniqueKey]) -> Bool {
        Set(keys) == Set(uniqueIndexes.values)
    }

    /// Whether a row written under `keys` is held by the indexes (`keyed`): it is, when the
    /// write asked for every key they keep.
    static func keyed(_ keys: [ImageUniqueKey]) -> Bool {
        Set(keys).isSuperset(of: uniqueIndexes.values)
    }

    /// True of a row `v` (the VALUES of a grouped insert) when an unkeyed row holds one of the
    /// indexes' keys of it: the indexes do not see unkeyed rows, so the insert looks for them.
    static let unkeyedTwin = """
        EXISTS (SELECT 1 FROM image t WHERE NOT t.keyed AND v.computeResourceId IS NOT NULL
            AND t.computeResourceId = v.computeResourceId AND ((t.name = v.name
                AND coalesce(t.operatingsystemId, -1) = coalesce(v.operatingsystemId, -1)) OR (v.uuid <> '' AND t.uuid = v.uuid)))
        """

    /// The refusal of a unique violation of the image table (its imageId or a key's index);
    /// nil for any other error, and for a row id taken (the service's `TakenRowId`).
    static func refusal(_ error: any Error) -> CanonicalError? {
        guard let error = error as? PSQLError, error.serverInfo?[.sqlState] == "23505", !PGDatabase.isTakenRowId(error) else { return nil }
        if let index = error.serverInfo?[.constraintName], let key = uniqueIndexes[index] { return .taken(key.refusal.rawValue) }
        return .taken(ImageField.imageId.rawValue)
    }

    static func whereClause(_ clauses: [String]) -> String {
        clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
    }
}

extension Image {
    init(pg c: inout PGColumns) throws { try self.init(row: &c) }

    /// The stored columns but the row id, as binds of `sql`, in `PGImageSQL.fields` order.
    func pgValues(_ sql: inout PGSQL) -> [String] {
        [sql.bind(imageId), sql.bind(name), sql.bind(description), sql.bind(status.rawValue), sql.bind(transitionStatus),
         sql.bind(imageType), sql.bind(diskFormat), sql.bind(minDisk), sql.bind(minRam), sql.bind(cpuArch),
         sql.bind(bits.rawValue), sql.bind(osType), sql.bind(osVersion), sql.bind(platform), sql.bind(visibility.rawValue),
         sql.bind(bootMode), sql.bind(usage), sql.bind(owner), sql.bind(departmentId), sql.bind(resourceGroupId),
         sql.bind(region), sql.bind(size), sql.bind(checksum), sql.bind(username), sql.bind(password), sql.bind(uuid),
         sql.bind(userData), sql.bind(computeResourceId) + "::bigint", sql.bind(operatingsystemId) + "::bigint",
         sql.bind(architectureId) + "::bigint", sql.bind(provider), sql.bind(zone), sql.bind(sourceType), sql.bind(uploadId),
         sql.bind(errMessage), sql.bind(PGSQL.time(createdAt)), sql.bind(PGSQL.time(updatedAt)), sql.bind(PGSQL.time(statusTime))]
    }
}

extension ImageView {
    init(pg c: inout PGColumns) throws {
        try self.init(image: Image(pg: &c), computeResourceName: c.next(String?.self),
                      operatingsystemName: c.next(String?.self), architectureName: c.next(String?.self))
    }
}
