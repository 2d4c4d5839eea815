/// What kind of work a command is, decided in one exhaustive switch: a new command does not
/// compile until it is classified here (no `default:` can file it silently as a write or a read).
public struct CommandTraits: Sendable, Equatable {
    /// Changes nothing: the remote backend sends it without an idempotency key and the
    /// canonical API's ledger does not record it.
    public var isReadOnly: Bool
    /// Running it twice leaves the store as running it once (reads; writes that set fields to
    /// given values). A retry of anything else needs an idempotency key.
    public var isIdempotent: Bool
    /// Leaves work for a background worker: a job, or store upkeep after a deletion.
    public var leavesBackgroundWork: Bool

    static let read = CommandTraits(isReadOnly: true, isIdempotent: true, leavesBackgroundWork: false)
    static let write = CommandTraits(isReadOnly: false, isIdempotent: false, leavesBackgroundWork: false)
    static let idempotentWrite = CommandTraits(isReadOnly: false, isIdempotent: true, leavesBackgroundWork: false)
    static let backgroundWrite = CommandTraits(isReadOnly: false, isIdempotent: false, leavesBackgroundWork: true)
}

extension Command {
    public var traits: CommandTraits {
        switch self {
        case .getImage, .getApplication, .getJob, .getInstance, .listImages, .listJobs, .listApplications, .listInstances,
             .listMembers, .listShares, .listReceivedShares, .listBuckets, .downloadImage, .listCatalog, .getCatalogEntry:
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
    package var leavesBackgroundWork: Bool { traits.leavesBackgroundWork }
}
