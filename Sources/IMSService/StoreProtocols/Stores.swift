/// Every store a gateway runs on, as the service sees them. One implementation may fill every
/// part (`SQLiteStore`, the PostgreSQL store); a composite may route parts to different ones.
///
/// Conventions every store protocol follows (the contract suite in Tests/ checks them):
/// - A store only stores. Ids that clients see (`img-…`, job ids, upload ids, share ids,
///   instance refs) and every time are minted by the service before a store is called and
///   written as given. Row ids (`id` of images, applications, instances, shares) are the
///   store's own: assigned on insert when the record's `id` is nil (ascending, never reused),
///   kept when it is set.
/// - Each method is atomic: it happens entirely or not at all, whatever runs beside it on this
///   or another gateway. Where a method says "atomically", its check and its write must not be
///   separable by a concurrent writer (a transaction, a lock, a unique index: the store's choice).
/// - Refusals the contract names are thrown as `CanonicalError` with the exact case, field and
///   message given in the doc comment: the service passes them to clients unchanged. Any other
///   failure may be any error; the service answers it as an internal error without its words.
/// - Text comparisons: equality and `in` on keys (`imageId`, `shareId`, `jobId`, names in
///   uniqueness rules) are exact and case-sensitive. Filters (`ImageCondition` `eq`/`ne` on text,
///   `contains`, search words, list keywords) fold ASCII case only (SQLite's NOCASE and LIKE:
///   `a` matches `A`, `é` does not match `É`). Sorting text is by code point (binary, as
///   PostgreSQL's `COLLATE "C"`), NULLs first when ascending and last when descending.
/// - Paging: `offset` rows skipped, at most `limit` returned (`nil`: all); `total` counts every
///   match regardless of the window. Lists end on the row id (in the first key's direction), so
///   pages never overlap or skip.
public struct Stores: Sendable {
    public var images: any ImageStore
    public var bytes: any FileStore
    public var applications: any ApplicationStore
    public var instances: any InstanceStore
    public var shares: any ShareStore
    public var jobs: any JobQueue
    public var directory: any Directory
    public var catalogue: any Catalogue
    public var uploads: any UploadRecords
    /// What the gateways of a deployment remember of requests together (replays, idempotency).
    public var signatures: any SeenSignatures
    public var idempotency: any IdempotencyRecords
    public var leases: any Leases

    public init(images: any ImageStore, bytes: any FileStore, applications: any ApplicationStore, instances: any InstanceStore,
                shares: any ShareStore, jobs: any JobQueue, directory: any Directory, catalogue: any Catalogue,
                uploads: any UploadRecords, signatures: any SeenSignatures, idempotency: any IdempotencyRecords,
                leases: any Leases) {
        self.images = images
        self.bytes = bytes
        self.applications = applications
        self.instances = instances
        self.shares = shares
        self.jobs = jobs
        self.directory = directory
        self.catalogue = catalogue
        self.uploads = uploads
        self.signatures = signatures
        self.idempotency = idempotency
        self.leases = leases
    }

    /// Every part from one store that has them all.
    public init<S: ImageStore & ApplicationStore & InstanceStore & ShareStore & JobQueue & Directory & Catalogue & UploadRecords
                    & SeenSignatures & IdempotencyRecords & Leases>(
        _ store: S, bytes: any FileStore
    ) {
        self.init(images: store, bytes: bytes, applications: store, instances: store, shares: store, jobs: store,
                  directory: store, catalogue: store, uploads: store, signatures: store, idempotency: store, leases: store)
    }
}
