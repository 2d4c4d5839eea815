import Foundation
import GRDB
import IMSModel
import IMSService
import NIOCore

// One record type per table: the canonical model types themselves.

extension Image: MutablePersistableRecord, ImageRowDecodable {
    public static let databaseTableName = "image"

    /// The image columns (`ImageField.stored`), as `init(row:)` reads them and every image
    /// query selects them.
    static let columnNames = ImageField.stored.map(\.rawValue)

    init(columns c: inout ColumnReader) throws { try self.init(row: &c) }

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

extension ImageView: ImageRowDecodable {
    /// An image row joined with its catalogue names (see `ImageSQL.select`): the image columns
    /// first, then the three names.
    init(columns c: inout ColumnReader) throws {
        try self.init(image: Image(columns: &c), computeResourceName: c.optional(),
                      operatingsystemName: c.optional(), architectureName: c.optional())
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

    /// Every column but the command, which only the job runner needs (`JobQueue.claim`).
    /// A batch delete's job lists its 10,000 ids twice; clients poll the job while it runs, and
    /// decoding the command on every poll competed with the work the poll waits for.
    public static var databaseSelection: [any SQLSelectable] {
        ["jobId", "action", "status", "zone", "requestId", "resourceIds", "owner", "info", "createdAt", "beganAt",
         "finishedAt"].map { Column($0) }
    }

    /// Written and read by hand, the id list and the command through `JSONValue` and its coders
    /// rather than Foundation's: for a 10,000-id batch delete, `JSONEncoder` took 10–18 ms of
    /// the request and `JSONDecoder` as long again when the job ran. The command is read only
    /// when the row has it.
    public func encode(to container: inout PersistenceContainer) throws {
        container["jobId"] = jobId
        container["action"] = action
        container["status"] = status
        container["zone"] = zone
        container["requestId"] = requestId
        container["resourceIds"] = resources.jsonText
        container["owner"] = owner
        container["info"] = info
        container["createdAt"] = createdAt
        container["beganAt"] = beganAt
        container["finishedAt"] = finishedAt
        if let command {
            var text = ByteBuffer()
            try JSONValueEncoder().write(command, into: &text)
            container["command"] = String(buffer: text)
        } else {
            container["command"] = nil as String?
        }
    }

    public init(row: Row) throws {
        guard let resources = StringList(json: try row.decode(forColumn: "resourceIds")) else {
            throw CanonicalError.internal("a job has a malformed resourceIds column")
        }
        var command: JobWork?
        if row.hasColumn("command"), let text: String = try row.decode(forColumn: "command") {
            command = try JSONValueDecoder().decode(JobWork.self, from: text.utf8)
        }
        try self.init(jobId: row.decode(forColumn: "jobId"), action: row.decode(forColumn: "action"),
                      status: row.decode(forColumn: "status"), zone: row.decode(forColumn: "zone"),
                      requestId: row.decode(forColumn: "requestId"), resourceIds: [],
                      owner: row.decode(forColumn: "owner"), info: row.decode(forColumn: "info"),
                      createdAt: row.decode(forColumn: "createdAt"), beganAt: row.decode(forColumn: "beganAt"),
                      finishedAt: row.decode(forColumn: "finishedAt"), command: command)
        self.resources = resources
    }
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

extension ImageFile: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "imageFile"
}

extension ImageStatus: DatabaseValueConvertible {}
extension FlavorConfig: DatabaseValueConvertible {}
extension ProcessorBits: DatabaseValueConvertible {}
extension Visibility: DatabaseValueConvertible {}
extension ApplicationStatus: DatabaseValueConvertible {}
extension JobStatus: DatabaseValueConvertible {}
extension CatalogEntry.Kind: DatabaseValueConvertible {}
