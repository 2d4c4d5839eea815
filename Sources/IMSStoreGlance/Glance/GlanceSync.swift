import Foundation
import IMSModel
import IMSService

/// What one sync did.
public struct GlanceSyncReport: Sendable, Equatable, Codable {
    /// Glance images looked at (deleted ones left out).
    public var seen = 0
    /// Those the index already had.
    public var indexed = 0
    /// Those made in Glance directly, now in the index: their `img-` refs.
    public var adopted: [String] = []
    /// Images of the index whose Glance image is gone, by ref (reported; the index keeps them).
    public var missingInGlance: [String] = []
}

/// Reconciles the index with images made in Glance directly (OpenStack's clients, or a lost
/// index row): each Glance image the index lacks is read by the table (`GlanceFields.image`),
/// given an `img-` ref (its `ims_image_id` when it has one, else a new one) and a row id, put
/// in the index with an upload record of Glance's size and MD5 when it has bytes (so legacy
/// clients can download it), and tagged in Glance with the table's `ims_*` properties.
struct GlanceSync {
    let mirror: GlanceMirror
    /// The index's upload records (unwrapped: the image is synced here once).
    let uploads: any UploadRecords
    let mint: Mint
    /// Glance list filters limiting the sync (e.g. `owner`); the index's images missing in
    /// Glance are only looked for when there are none.
    var filters: [String: String] = [:]

    func run() async throws -> GlanceSyncReport {
        var report = GlanceSyncReport()
        var inGlance: Set<String> = []
        for image in try await mirror.glance.all(filters: filters, as: mirror.caller) {
            guard !["deleted", "pending_delete", "killed"].contains(image.status) else { continue }
            // Another deployment's image (a Glance shared under namespaces) is not ours to adopt.
            if image.json["ims_image_id"] != nil, (image.json["ims_namespace"]?.stringValue ?? "") != mirror.namespace { continue }
            report.seen += 1
            if let ref = image.json["ims_image_id"]?.stringValue {
                inGlance.insert(ref)
                if try await mirror.index.image(.ref(ref), reach: .all, within: []) != nil {
                    report.indexed += 1
                    continue
                }
            }
            let ref = try await adopt(image)
            inGlance.insert(ref)
            report.adopted.append(ref)
        }
        // The index's images Glance no longer has.
        var offset = 0
        while filters.isEmpty {
            let page = try await mirror.index.images(ImageQuery(sort: [SortKey(.id)], offset: offset, limit: 500), reach: .all)
            report.missingInGlance += page.items.map(\.image.imageId).filter { !inGlance.contains($0) }
            offset += page.items.count
            if page.items.count < 500 { break }
        }
        return report
    }

    /// Puts one Glance image into the index; answers its ref.
    func adopt(_ glanceImage: GlanceImage) async throws -> String {
        var image = GlanceFields.image(glanceImage.json, projects: mirror.projects)
        image.id = nil
        let given = glanceImage.json["ims_image_id"]?.stringValue
        var stored: ImageView?
        for attempt in 0..<8 where stored == nil {
            image.imageId = attempt == 0 ? (given ?? mint.imageRef()) : mint.imageRef()
            do {
                // No uniqueness keys: Glance lets names repeat, and the image exists already.
                stored = try await mirror.index.insert(image, job: nil, unique: [])
            } catch CanonicalError.conflict(field: "imageId", _) {
                // Its own ref taken: another sync indexed it meanwhile. A new ref only for one
                // minted here that happened to be taken.
                if given != nil && attempt == 0 { return given! }
                continue
            }
        }
        guard let view = stored else { throw CanonicalError.internal("no free img- reference") }
        if view.image.status == .active, let size = glanceImage.size, let md5 = glanceImage.checksum {
            try await uploads.completeFile(view.image.imageId, MeasuredBytes(size: size, md5: md5), at: mint.now())
        }
        let operations = GlanceFields.patch(from: glanceImage.json, to: mirror.document(view.image))
        if !operations.isEmpty { _ = try await mirror.glance.patch(glanceImage.id, operations, as: mirror.caller) }
        return view.image.imageId
    }
}
