import Foundation
import IMSModel

/// One command a shadow hands its secondary: what the client asked, as whom, and what the
/// primary answered (with what it minted, for a write), queued off the request's path.
struct ShadowMirror: Sendable {
    var command: Command
    var identity: Identity
    /// The primary's answer; a write is queued only when it succeeded, with its `Minted`.
    var primary: Result<CommandResult, CanonicalError>
    var minted: Minted?
    var dialect: String
    var operation: String
    var requestId: String
    var queuedAt: ContinuousClock.Instant
    /// An upload's bytes, streamed to the secondary as the primary stores them; `command` is
    /// then the read of the image they belong to.
    var bytes: MirroredUpload? = nil
    /// What the client downloaded (`command` is the download), to compare with the secondary's bytes.
    var downloaded: BytesDigest? = nil
    /// A step of the S3 endpoint's objects (`ShadowObjects`); `command` is then the read of
    /// the image it belongs to.
    var objectStep: MirroredObjectStep? = nil

    var isWrite: Bool { bytes != nil || objectStep != nil || !command.isReadOnly }
}

extension Command {
    /// The read that shows a write's effect on the one object it changed, so a shadow compares
    /// the stored state of both sides, not only their replies (`nil`: none that is one read).
    func readBack(after result: CommandResult) -> Command? {
        switch (self, result) {
        case (.updateImage(let selector, _), _), (.deleteImage(let selector), _), (.finishUpload(let selector, _, _), _),
             (.prepareUpload(let selector, _), _):
            .getImage(selector)
        case (.shareImage(let selector, _), _), (.unshareImage(let selector, _), _):
            .listShares(selector, offset: 0, limit: 1000)
        case (_, .image(let view)):
            .getImage(ImageSelector(ref: view.image.imageId))
        case (.updateApplication(let id, _), _), (.deleteApplication(let id), _):
            .getApplication(id)
        case (_, .application(let application)):
            application.id.map { .getApplication($0) }
        case (.updateInstance(let id, _), _), (.addMembers(let id, _), _), (.removeMembers(let id, _), _):
            .getInstance(id)
        case (.deleteInstances(let ids), _) where ids.count == 1:
            .getInstance(ids[0])
        case (_, .instance(let view)):
            view.instance.id.map { .getInstance($0) }
        case (.updateCatalogEntry(let selector, _), _), (.deleteCatalogEntry(let selector), _):
            .getCatalogEntry(selector)
        case (_, .catalogEntry(let entry)):
            .getCatalogEntry(CatalogSelector(entry.kind, String(entry.id)))
        default:
            nil
        }
    }

    /// The objects a command (with its answer) reads or changes, as keys a shadow marks when a
    /// write to them was dropped: `image:img-…` and `image:12` name one image either way.
    func touchedObjects(answer: CommandResult?) -> Set<String> {
        var keys: Set<String> = []
        func image(_ ref: String) { keys.insert("image:" + ref) }
        switch self {
        case .getImage(let s), .updateImage(let s, _), .deleteImage(let s), .prepareUpload(let s, _),
             .finishUpload(let s, _, _), .downloadImage(let s), .shareImage(let s, _), .unshareImage(let s, _),
             .listShares(let s, _, _), .listBuckets(let s), .exportImage(let s, _):
            image(s.ref)
        case .batchDeleteImages(let refs): refs.forEach(image)
        case .getApplication(let id), .updateApplication(let id, _), .deleteApplication(let id):
            keys.insert("application:\(id)")
        case .getInstance(let id), .updateInstance(let id, _), .addMembers(let id, _), .removeMembers(let id, _),
             .listMembers(let id, _):
            keys.insert("instance:\(id)")
        case .deleteInstances(let ids): ids.forEach { keys.insert("instance:\($0)") }
        case .getCatalogEntry(let s), .updateCatalogEntry(let s, _), .deleteCatalogEntry(let s):
            keys.insert("catalogue:\(s.kind.rawValue):\(s.ref)")
        case .asJob(_, let inner): keys.formUnion(inner.touchedObjects(answer: nil))
        case .getJob(let id): keys.insert("job:" + id)
        default: break
        }
        switch answer {
        case .image(let view)?:
            image(view.image.imageId)
            if let id = view.image.id { image("\(id)") }
        case .images(let page)?:
            for view in page.items {
                image(view.image.imageId)
                if let id = view.image.id { image("\(id)") }
            }
        case .application(let application)?: application.id.map { keys.insert("application:\($0)") }
        case .instance(let view)?: view.instance.id.map { keys.insert("instance:\($0)") }
        case .catalogEntry(let entry)?: keys.insert("catalogue:\(entry.kind.rawValue):\(entry.id)")
        case .job(let job)?:
            keys.insert("job:" + job.jobId)
            job.resourceIds.forEach(image)
        default: break
        }
        return keys
    }

    /// Work that reaches outside the gateway (an import fetches a URL, an export writes a bucket):
    /// a shadow runs it on the primary only and hands the secondary its outcome.
    var reachesOutside: Bool {
        switch self {
        case .importImage, .exportImage: true
        case .asJob(_, let inner): inner.reachesOutside
        default: false
        }
    }

    /// The command's canonical name (`createImage`), for a mirrored command run outside any
    /// route (a test, a migration).
    var canonicalName: String {
        guard case .object(let o)? = try? JSONValueEncoder().encode(self), let name = o.keys.first else { return "command" }
        return name
    }
}
