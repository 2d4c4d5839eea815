import ServiceLifecycle

/// What a backend can do beyond running commands, as it reports it (DESIGN §5). Asked, never
/// found by a downcast: a wrapper (composite, shadow) is not the class that holds the objects,
/// and passes on what its inner backend reports.
public struct BackendCapabilities: Sendable {
    /// S3-style upload objects (CECSTACK's presigned uploads) served in this process.
    public var uploadObjects: (any UploadObjects)?
    /// Another gateway whose S3 endpoint holds them: the endpoint here passes requests on to it.
    public var uploadObjectsAt: String?

    /// The stores it runs on, for a tool that copies records between backends with their ids
    /// (`ims-gateway migrate`), and the stores' own background work, which must run while they
    /// are used (a PostgreSQL client's connections), without the job worker.
    public var records: (stores: Stores, services: [any Service])?

    /// Another gateway's records, read through its canonical API's export (a `remote` backend
    /// has no stores here, yet `migrate` can copy off it).
    public var exported: (any MigrationSource)?

    public init(uploadObjects: (any UploadObjects)? = nil, uploadObjectsAt: String? = nil,
                records: (stores: Stores, services: [any Service])? = nil, exported: (any MigrationSource)? = nil) {
        self.uploadObjects = uploadObjects
        self.uploadObjectsAt = uploadObjectsAt
        self.records = records
        self.exported = exported
    }

    /// Where a migration reads this backend's records: its stores when this gateway holds
    /// them, else another gateway's export; nil when neither.
    public var migrationSource: (any MigrationSource)? {
        records.map { StoresSource($0.stores) } ?? exported
    }

    /// Commands only.
    public static let none = BackendCapabilities()
}
