import Foundation
import IMSModel
import IMSService
import Logging

/// Keeps each image's Glance copy in step with the index (the SQL store's image rows), after
/// every write the gateway makes: the index is what the gateway's own writes commit to first
/// (its uniqueness rules, totals, order and search need one transaction), Glance is where the
/// metadata OpenStack's clients read and the bytes live. A write that reached the index but
/// not Glance is logged and caught up by the next write of that image (`sync`).
final class GlanceMirror: Sendable {
    let glance: GlanceClient
    let index: any ImageStore
    let projects: GlanceFields.Projects
    /// Who the gateway is in Glance: an admin (it enforces tenancy itself, and sets owners).
    let caller: GlanceCaller
    /// This deployment's images in a Glance others use too (`ims_namespace`; "" for none): its
    /// refs are its own, so Glance ids derive from the namespace and the ref, and lookups see
    /// only images of the namespace.
    let namespace: String
    let logger = Logger(label: "ims-gateway.glance")

    init(glance: GlanceClient, index: any ImageStore, projects: GlanceFields.Projects, caller: GlanceCaller, namespace: String = "") {
        self.glance = glance
        self.index = index
        self.projects = projects
        self.caller = caller
        self.namespace = namespace
    }

    /// The table's document of `image`, with the namespace.
    func document(_ image: Image) -> GlanceFields.Document {
        var document = GlanceFields.document(image, projects: projects)
        if !namespace.isEmpty { document.properties["ims_namespace"] = namespace }
        return document
    }

    /// The Glance id of `imageId` in this namespace.
    func glanceId(_ imageId: String, attempt: Int = 0) -> String {
        GlanceFields.glanceId(namespace.isEmpty ? imageId : namespace + "/" + imageId, attempt: attempt)
    }

    /// Whether a Glance image is `imageId` of this namespace.
    func isOurs(_ image: GlanceImage, _ imageId: String) -> Bool {
        image.json["ims_image_id"]?.stringValue == imageId && (image.json["ims_namespace"]?.stringValue ?? "") == namespace
    }

    /// The Glance image of `imageId`: the one under its derived id, else (made again after a
    /// failed upload, or in Glance directly) the one whose `ims_image_id` is it.
    /// When Glance has several (a lost race left an empty one behind), the one with bytes.
    func locate(_ imageId: String) async throws -> GlanceImage? {
        if let image = try await glance.image(glanceId(imageId), as: caller), isOurs(image, imageId), image.status != "queued" {
            return image
        }
        var filters = ["ims_image_id": imageId]
        if !namespace.isEmpty { filters["ims_namespace"] = namespace }
        let all = try await glance.list(limit: 20, filters: filters, as: caller).images.filter { isOurs($0, imageId) }
        return all.first { $0.status == "active" } ?? all.first { $0.status != "queued" } ?? all.first
    }

    /// Whether a Glance image can take bytes: queued, and no refused upload left its checksum.
    static func clean(_ image: GlanceImage) -> Bool { image.status == "queued" && image.checksum == nil }

    /// Makes Glance's image say what the index says (creating it if Glance has none); nothing
    /// when the index has no such image. Tried twice: a concurrent writer may move Glance's
    /// image between the read and the patch.
    func sync(_ imageId: String) async throws {
        for attempt in 0..<2 {
            guard let view = try await index.image(.ref(imageId), reach: .all, within: []) else { return }
            let document = self.document(view.image)
            do {
                // Made now, or by a concurrent writer of the image since the lookup: then patched.
                var found = try await locate(imageId)
                if found == nil { found = try await create(imageId, document) }
                guard let current = found else { return }
                let operations = GlanceFields.patch(from: current.json, to: document)
                if !operations.isEmpty { _ = try await glance.patch(current.id, operations, as: caller) }
                return
            } catch let error as GlanceError where attempt == 0 && (error.status == 409 || error.status == 400) {
                continue
            }
        }
    }

    /// `sync`, its failure logged: the index has committed, and the client's answer stands.
    func keepUp(_ imageIds: some Sequence<String>) async {
        for imageId in imageIds {
            do {
                try await sync(imageId)
            } catch {
                logger.warning("Glance not kept in step", metadata: ["image_id": .string(imageId), "error": .string("\(error)")])
            }
        }
    }

    /// A new image of the index, made in Glance at once: one call, no lookup first (a 409, its
    /// derived id taken, falls back to `sync`). Failures logged, as `keepUp`'s.
    func created(_ image: Image) async {
        do {
            var body = document(image).createBody
            body["id"] = .string(glanceId(image.imageId))
            do {
                _ = try await glance.create(body, as: caller)
            } catch let error as GlanceError where error.status == 409 {
                try await sync(image.imageId)
            }
        } catch {
            logger.warning("Glance not kept in step", metadata: ["image_id": .string(image.imageId), "error": .string("\(error)")])
        }
    }

    /// Creates the Glance image of `imageId`, under its derived id or, when that id is taken (a
    /// deleted image's id stays taken), the next attempt's. An image of `imageId` already under
    /// the id (another writer of this image got there first: the insert's create and its job's
    /// upload race) is answered instead when `reuse` accepts it.
    func create(_ imageId: String, _ document: GlanceFields.Document,
                reuse: (GlanceImage) -> Bool = { _ in true }) async throws -> GlanceImage {
        var lastError: (any Error)?
        for attempt in 0..<8 {
            let id = glanceId(imageId, attempt: attempt)
            var body = document.createBody
            body["id"] = .string(id)
            do {
                return try await glance.create(body, as: caller)
            } catch let error as GlanceError where error.status == 409 {
                lastError = error
                if let existing = try await glance.image(id, as: caller), isOurs(existing, imageId), reuse(existing) {
                    return existing
                }
            }
        }
        throw lastError!
    }

    /// A Glance image of `imageId` ready for bytes: `queued` and clean. Glance cannot replace
    /// an image's bytes, and a refused upload leaves its checksum and file behind (the next PUT
    /// is a 500; docs/GLANCE.md): such an image is deleted and made again under a new id.
    func readyForBytes(_ imageId: String) async throws -> GlanceImage {
        guard let view = try await index.image(.ref(imageId), reach: .all, within: []) else {
            throw CanonicalError.notFound(kind: "image", id: imageId)
        }
        let document = self.document(view.image)
        if let current = try await locate(imageId) {
            if Self.clean(current) { return current }
            try await glance.delete(current.id, as: caller)
        }
        return try await create(imageId, document, reuse: Self.clean)
    }

    /// Deletes the Glance images of `imageIds` (those it has).
    func delete(_ imageIds: some Sequence<String>) async {
        for imageId in imageIds {
            do {
                // Every Glance image of the ref (a lost race may have left two); bounded, should a
                // delete answer 404 while a list still shows the image.
                for _ in 0..<8 {
                    guard let image = try await locate(imageId) else { break }
                    try await glance.delete(image.id, as: caller)
                }
            } catch {
                logger.warning("Glance image not deleted", metadata: ["image_id": .string(imageId), "error": .string("\(error)")])
            }
        }
    }
}

/// Image records with the index (a SQL `ImageStore`) answering every read — ids, `img-` refs,
/// totals, offsets, search and every dialect's filters and order — and Glance kept in step with
/// every write (`GlanceMirror`).
struct GlanceImageStore: ImageStore {
    let index: any ImageStore
    let mirror: GlanceMirror

    nonisolated(nonsending) func image(_ key: ImageKey, reach: ImageReach, within: [ImageCondition]) async throws -> ImageView? {
        try await index.image(key, reach: reach, within: within)
    }

    nonisolated(nonsending) func images(_ query: ImageQuery, reach: ImageReach) async throws -> ImagePage {
        try await index.images(query, reach: reach)
    }

    func resolve(_ refs: [String], reach: ImageReach) async throws -> [ImageRefMatch?] {
        try await index.resolve(refs, reach: reach)
    }

    func insert(_ image: Image, job: Job?, unique keys: [ImageUniqueKey]) async throws -> ImageView {
        let view = try await index.insert(image, job: job, unique: keys)
        await mirror.created(view.image)
        return view
    }

    func update(_ image: Image, fields: Set<ImageField>, unique keys: [ImageUniqueKey]) async throws -> ImageView {
        let view = try await index.update(image, fields: fields, unique: keys)
        await mirror.keepUp([view.image.imageId])
        return view
    }

    func checkUnique(_ image: Image, keys: [ImageUniqueKey]) async throws {
        try await index.checkUnique(image, keys: keys)
    }

    func change(_ imageId: String, _ change: ImageStateChange) async throws -> ImageView? {
        let view = try await index.change(imageId, change)
        if view != nil { await mirror.keepUp([imageId]) }
        return view
    }

    func deleteAll(_ imageIds: [String], unless holds: [ImageHold]) async throws -> Bool {
        guard try await index.deleteAll(imageIds, unless: holds) else { return false }
        await mirror.delete(Set(imageIds).sorted())
        return true
    }

    func hasImages(under kind: CatalogEntry.Kind, id: Int64) async throws -> Bool {
        try await index.hasImages(under: kind, id: id)
    }
}

/// The index's upload records; the two that change an image keep Glance in step.
struct GlanceUploadRecords: UploadRecords {
    let index: any UploadRecords
    let mirror: GlanceMirror

    func file(_ imageId: String) async throws -> ImageFile? { try await index.file(imageId) }

    func prepare(_ file: ImageFile, key: UploadKey, change: ImageStateChange) async throws {
        try await index.prepare(file, key: key, change: change)
        await mirror.keepUp([file.imageId])
    }

    func recordBytes(_ imageId: String, _ measured: MeasuredBytes, etag: String, at: Date) async throws {
        try await index.recordBytes(imageId, measured, etag: etag, at: at)
    }

    func finishUpload(_ imageId: String, _ change: ImageStateChange) async throws {
        try await index.finishUpload(imageId, change)
        await mirror.keepUp([imageId])
    }

    func completeFile(_ imageId: String, _ measured: MeasuredBytes, at: Date) async throws {
        try await index.completeFile(imageId, measured, at: at)
    }

    func key(_ accessKey: String) async throws -> UploadKey? { try await index.key(accessKey) }
    func multipartIds(of imageId: String) async throws -> [String] { try await index.multipartIds(of: imageId) }
    func openMultipart(_ upload: MultipartUpload) async throws { try await index.openMultipart(upload) }
    func openUpload(_ imageId: String, _ uploadId: String) async throws -> MultipartUpload? {
        try await index.openUpload(imageId, uploadId)
    }

    func reservePart(_ imageId: String, _ uploadId: String, number: Int, length: Int64?, prepared: Int64, at: Date) async throws
        -> PartReservation
    {
        try await index.reservePart(imageId, uploadId, number: number, length: length, prepared: prepared, at: at)
    }

    func recordPart(_ imageId: String, _ part: UploadPartRecord) async throws -> Bool { try await index.recordPart(imageId, part) }
    func dropReservation(_ uploadId: String, number: Int) async throws { try await index.dropReservation(uploadId, number: number) }
    func parts(_ uploadId: String) async throws -> [UploadPartRecord] { try await index.parts(uploadId) }
    func claimCompletion(_ imageId: String, _ uploadId: String) async throws -> [UploadPartRecord]? {
        try await index.claimCompletion(imageId, uploadId)
    }

    func reopen(_ uploadId: String) async throws { try await index.reopen(uploadId) }
    func endMultipart(_ imageId: String, _ uploadId: String, _ measured: MeasuredBytes, etag: String, at: Date) async throws {
        try await index.endMultipart(imageId, uploadId, measured, etag: etag, at: at)
    }

    func abortMultipart(_ imageId: String, _ uploadId: String) async throws -> Bool { try await index.abortMultipart(imageId, uploadId) }
}

/// The index's job queue; a job that finishes with its image's change keeps Glance in step.
struct GlanceJobQueue: JobQueue {
    let index: any JobQueue
    let mirror: GlanceMirror

    func enqueue(_ job: Job) async throws { try await index.enqueue(job) }
    func job(_ jobId: String) async throws -> Job? { try await index.job(jobId) }
    func jobs(_ query: JobQuery, owner: String?) async throws -> JobPage { try await index.jobs(query, owner: owner) }
    func claim(worker: String, limit: Int, now: Date, until: Date) async throws -> [Job] {
        try await index.claim(worker: worker, limit: limit, now: now, until: until)
    }

    func renew(_ jobId: String, worker: String, until: Date) async throws -> Bool { try await index.renew(jobId, worker: worker, until: until) }
    func start(_ jobId: String, worker: String, at: Date) async throws -> Bool { try await index.start(jobId, worker: worker, at: at) }

    func finish(_ jobId: String, worker: String, _ status: JobStatus, info: String, at: Date,
                image: (imageId: String, change: ImageStateChange)?) async throws -> Bool {
        let finished = try await index.finish(jobId, worker: worker, status, info: info, at: at, image: image)
        if finished, let image { await mirror.keepUp([image.imageId]) }
        return finished
    }

    func release(worker: String) async throws { try await index.release(worker: worker) }
    func arrivals() -> AsyncStream<Void>? { index.arrivals() }
}
