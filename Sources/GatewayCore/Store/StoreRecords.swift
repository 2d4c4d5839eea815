import Foundation
import GRDB

// One record type per table: the canonical model types themselves.

extension Image: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "image"

    /// The image columns (the stored `ImageField`s, in their order), as `init(row:)` reads them
    /// and every image query selects them. Reading by position rather than by name through
    /// `Codable` halves what a GET-by-id costs in the store (profiled: decoding was half of it).
    static let columnNames = ImageField.allCases.prefix { $0 != .computeResourceName }.map(\.rawValue)
    public static var databaseSelection: [any SQLSelectable] { columnNames.map { Column($0) } }

    public init(row: Row) throws {
        self.init(imageId: try row.decode(atIndex: 1), name: try row.decode(atIndex: 2), now: Date(timeIntervalSince1970: 0))
        id = try row.decode(atIndex: 0)
        description = try row.decode(atIndex: 3)
        status = try row.decode(atIndex: 4)
        transitionStatus = try row.decode(atIndex: 5)
        imageType = try row.decode(atIndex: 6)
        diskFormat = try row.decode(atIndex: 7)
        minDisk = try row.decode(atIndex: 8)
        minRam = try row.decode(atIndex: 9)
        cpuArch = try row.decode(atIndex: 10)
        bits = try row.decode(atIndex: 11)
        osType = try row.decode(atIndex: 12)
        osVersion = try row.decode(atIndex: 13)
        platform = try row.decode(atIndex: 14)
        visibility = try row.decode(atIndex: 15)
        bootMode = try row.decode(atIndex: 16)
        usage = try row.decode(atIndex: 17)
        owner = try row.decode(atIndex: 18)
        departmentId = try row.decode(atIndex: 19)
        resourceGroupId = try row.decode(atIndex: 20)
        region = try row.decode(atIndex: 21)
        size = try row.decode(atIndex: 22)
        checksum = try row.decode(atIndex: 23)
        username = try row.decode(atIndex: 24)
        password = try row.decode(atIndex: 25)
        uuid = try row.decode(atIndex: 26)
        userData = try row.decode(atIndex: 27)
        computeResourceId = try row.decode(atIndex: 28)
        operatingsystemId = try row.decode(atIndex: 29)
        architectureId = try row.decode(atIndex: 30)
        provider = try row.decode(atIndex: 31)
        zone = try row.decode(atIndex: 32)
        sourceType = try row.decode(atIndex: 33)
        uploadId = try row.decode(atIndex: 34)
        errMessage = try row.decode(atIndex: 35)
        createdAt = try row.decode(atIndex: 36)
        updatedAt = try row.decode(atIndex: 37)
        statusTime = try row.decode(atIndex: 38)
    }

    /// The same columns written by name (inserts and updates), without `Codable`'s encoder.
    public func encode(to container: inout PersistenceContainer) {
        let values: [(any DatabaseValueConvertible)?] = [
            id, imageId, name, description, status, transitionStatus, imageType, diskFormat,
            minDisk, minRam, cpuArch, bits, osType, osVersion, platform, visibility, bootMode,
            usage, owner, departmentId, resourceGroupId, region, size, checksum, username,
            password, uuid, userData, computeResourceId, operatingsystemId, architectureId,
            provider, zone, sourceType, uploadId, errMessage, createdAt, updatedAt, statusTime,
        ]
        for (name, value) in zip(Self.columnNames, values) { container[name] = value }
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension ImageView: FetchableRecord {
    /// Reads an image row joined with its catalogue names (see `ImageSQL.select`): the image
    /// columns first, then the three names.
    public init(row: Row) throws {
        let names = Image.columnNames.count
        try self.init(image: Image(row: row),
                      computeResourceName: row.decode(atIndex: names),
                      operatingsystemName: row.decode(atIndex: names + 1),
                      architectureName: row.decode(atIndex: names + 2))
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
