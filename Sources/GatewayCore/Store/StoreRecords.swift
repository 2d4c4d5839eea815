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

extension ImageStatus: DatabaseValueConvertible {}
extension ProcessorBits: DatabaseValueConvertible {}
extension Visibility: DatabaseValueConvertible {}
extension ApplicationStatus: DatabaseValueConvertible {}
extension JobStatus: DatabaseValueConvertible {}
extension CatalogEntry.Kind: DatabaseValueConvertible {}
