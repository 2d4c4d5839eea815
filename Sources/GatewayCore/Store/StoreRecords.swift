import Foundation
import GRDB

// One record type per table: the canonical model types themselves.

extension Image: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "image"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension ImageView: FetchableRecord {
    /// Reads an image row joined with its catalogue names (see `ImageSQL.select`).
    public init(row: Row) throws {
        try self.init(image: Image(row: row),
                      computeResourceName: row["computeResourceName"],
                      operatingsystemName: row["operatingsystemName"],
                      architectureName: row["architectureName"])
    }
}

extension CatalogEntry: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "catalogEntry"
}

extension ImageApplication: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "imageApplication"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Job: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "job"
}

extension User: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "user"
}

extension ApplicationInstance: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "applicationInstance"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A user's membership of an instance.
struct InstanceMember: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "instanceMember"
    var instanceId: Int64
    var userId: Int64
    var createdAt: Date
}

extension ImageShare: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "imageShare"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// The stored bytes of an image: where an upload stands and what it measured.
struct ImageFile: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "imageFile"
    var imageId: String
    var uploadId: String
    var token: String
    var expectedSize: Int64
    var size: Int64
    var md5: String
    var complete: Bool
    var updatedAt: Date
}

extension ImageStatus: DatabaseValueConvertible {}
extension FlavorConfig: DatabaseValueConvertible {}
extension ProcessorBits: DatabaseValueConvertible {}
extension Visibility: DatabaseValueConvertible {}
extension ApplicationStatus: DatabaseValueConvertible {}
extension JobStatus: DatabaseValueConvertible {}
extension CatalogEntry.Kind: DatabaseValueConvertible {}
