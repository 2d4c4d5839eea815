import Foundation
import GRDB
import IMSModel
import IMSService

extension SQLiteStore: ImageStore {
    nonisolated(nonsending) public func image(_ key: ImageKey, reach: ImageReach, within: [ImageCondition]) async throws -> ImageView? {
        try await inline { db in try SQLiteImages.find(key, reach: reach, within: within, in: db) }
    }

    nonisolated(nonsending) public func images(_ query: ImageQuery, reach: ImageReach) async throws -> ImagePage {
        // A list by references is a few reads by key: on a point reader, in one snapshot.
        if query.isKeyedRead { return try await inline(isolated: true) { db in try SQLiteImages.list(query, reach: reach, in: db) } }
        return try await read { db in try SQLiteImages.list(query, reach: reach, in: db) }
    }

    public func resolve(_ refs: [String], reach: ImageReach) async throws -> [ImageRefMatch?] {
        try await read { db in try SQLiteImages.resolve(refs, reach: reach, in: db) }
    }

    public func insert(_ image: Image, job: Job?, unique keys: [ImageUniqueKey]) async throws -> ImageView {
        try await write { db in
            try SQLiteImages.checkUnique(image, keys: keys, in: db)
            var row = image
            try row.insert(db)
            try job?.insert(db)
            return try SQLiteImages.view(rowID: row.id!, in: db)
        }
    }

    public func update(_ image: Image, fields: Set<ImageField>, unique keys: [ImageUniqueKey]) async throws -> ImageView {
        guard let rowID = image.id else { throw CanonicalError.notFound(kind: "image", id: "") }
        let columns = Set(fields.map(\.rawValue) + [ImageField.updatedAt.rawValue]).intersection(Image.columnNames)
        return try await write { db in
            guard var stored = try Image.fetchOne(db.cachedStatement(sql: ImageSQL.selectImage + " WHERE id = ?"), arguments: [rowID]) else {
                throw CanonicalError.notFound(kind: "image", id: String(rowID))
            }
            // The row as the write leaves it, in the fields the keys read.
            let given = ImageView(image: image)
            for field in Set(keys.flatMap(\.fields)).intersection(fields) { stored.set(field, given.value(field)) }
            try SQLiteImages.checkUnique(stored, keys: keys, in: db)
            try image.update(db, columns: columns)
            return try SQLiteImages.view(rowID: rowID, in: db)
        }
    }

    public func checkUnique(_ image: Image, keys: [ImageUniqueKey]) async throws {
        try await read { db in try SQLiteImages.checkUnique(image, keys: keys, in: db) }
    }

    public func change(_ imageId: String, _ change: ImageStateChange) async throws -> ImageView? {
        try await write { db in try SQLiteImages.change(imageId, change, in: db) }
    }

    public func deleteAll(_ imageIds: [String], unless holds: [ImageHold]) async throws -> Bool {
        let deleted = try await write { db in try SQLiteImages.deleteAll(imageIds, unless: holds, in: db) }
        if deleted { upkeep.wake() }
        return deleted
    }

    public func hasImages(under kind: CatalogEntry.Kind, id: Int64) async throws -> Bool {
        try await read { db in try SQLiteImages.hasImages(under: kind, id: id, in: db) }
    }
}
