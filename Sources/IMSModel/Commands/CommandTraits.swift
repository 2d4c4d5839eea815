/// What kind of work a command is, decided in one exhaustive switch: a new command does not
/// compile until it is classified here (no `default:` can file it silently as a write or a read).
public struct CommandTraits: Sendable, Equatable {
    /// Changes nothing: the remote backend sends it without an idempotency key and the
    /// canonical API's ledger does not record it.
    public var isReadOnly: Bool
    /// Running it twice leaves the store as running it once (reads; writes that set fields to
    /// given values). A retry of anything else needs an idempotency key.
    public var isIdempotent: Bool
    /// A read of one record by key in one statement: bounded work, run where it is asked
    /// (the SQLite store: on the calling thread, without a transaction).
    public var isPointRead: Bool
    /// A read of a few statements, each by key: bounded too, run where it is asked, in one
    /// read transaction so it sees one snapshot.
    public var isKeyedRead: Bool
    /// Leaves work for a background worker: a job, or store upkeep after a deletion.
    public var leavesBackgroundWork: Bool

    static let read = CommandTraits(isReadOnly: true, isIdempotent: true, isPointRead: false, isKeyedRead: false,
                                    leavesBackgroundWork: false)
    static let pointRead = CommandTraits(isReadOnly: true, isIdempotent: true, isPointRead: true, isKeyedRead: false,
                                         leavesBackgroundWork: false)
    static let keyedRead = CommandTraits(isReadOnly: true, isIdempotent: true, isPointRead: false, isKeyedRead: true,
                                         leavesBackgroundWork: false)
    static let write = CommandTraits(isReadOnly: false, isIdempotent: false, isPointRead: false, isKeyedRead: false,
                                     leavesBackgroundWork: false)
    static let idempotentWrite = CommandTraits(isReadOnly: false, isIdempotent: true, isPointRead: false, isKeyedRead: false,
                                               leavesBackgroundWork: false)
    static let backgroundWrite = CommandTraits(isReadOnly: false, isIdempotent: false, isPointRead: false, isKeyedRead: false,
                                               leavesBackgroundWork: true)
}

extension Command {
    public var traits: CommandTraits {
        switch self {
        case .getImage, .getApplication, .getJob: .pointRead
        case .getInstance: .keyedRead
        case .listImages(let query): query.isKeyedRead ? .keyedRead : .read
        case .listJobs, .listApplications, .listInstances, .listMembers, .listShares, .listReceivedShares, .listBuckets,
             .downloadImage, .listCatalog, .getCatalogEntry:
            .read
        case .updateImage, .updateApplication, .updateInstance, .updateCatalogEntry, .addMembers:
            .idempotentWrite
        case .createImage, .captureImage, .createApplication, .deleteApplication, .createInstance, .deleteInstances,
             .removeMembers, .prepareUpload, .finishUpload, .shareImage, .unshareImage, .deleteShare, .createCatalogEntry,
             .deleteCatalogEntry:
            .write
        // A deletion leaves its image's name for the SQLite store's index upkeep.
        case .deleteImage, .batchDeleteImages, .copyShare, .importImage, .exportImage, .asJob:
            .backgroundWrite
        }
    }

    public var isReadOnly: Bool { traits.isReadOnly }
    var isPointRead: Bool { traits.isPointRead }
    var isKeyedRead: Bool { traits.isKeyedRead }
    var leavesBackgroundWork: Bool { traits.leavesBackgroundWork }
}

extension ImageQuery {
    /// A list that names its images by reference (51idc's describe, `images=<id>,…`) reads a
    /// few rows by key; one that counts a whole scope or searches names does not. `in`
    /// compares without collation, so it stays on the unique index (an `eq` folds case and
    /// would scan).
    var isKeyedRead: Bool {
        !countsScope && searchWord == nil
            && filters.contains { ($0.field == .imageId || $0.field == .id) && $0.op == .in && $0.values.count <= 100 }
    }
}
