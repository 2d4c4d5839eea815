import Foundation
import IMSModel

/// Job submission: 51idc's mutations are checked when asked, answered with a job, and run
/// by a `JobWorker` (this gateway's or another's) afterwards.
extension GatewayService {
    /// A pending job record (its id minted here).
    func job(_ action: String, zone: String = "", requestId: String = "", _ resourceIds: [String], _ work: JobWork,
             as identity: Identity, now: Date, jobId: String? = nil) -> Job {
        Job(jobId: jobId ?? mint.jobId(), action: action, status: .pending, zone: zone,
            requestId: requestId.isEmpty ? mint.requestId() : requestId, resourceIds: resourceIds,
            owner: identity.tenant, createdAt: now, command: work)
    }

    /// Records a job, minting another id in the rare case its id is taken (never instead of a
    /// handed one: the records would differ from the first run's).
    @discardableResult
    func enqueue(_ job: Job) async throws -> Job {
        var job = job
        var attempt = 0
        while true {
            do {
                try await stores.jobs.enqueue(job)
                return job
            } catch let error as CanonicalError where error == .conflict(field: "jobId", message: "has already been taken") && attempt < 8
                && Minting.current?.retract(.jobId) ?? true
            {
                attempt += 1
                job.jobId = mint.jobId()
            }
        }
    }

    /// Checks `inner` now, changing nothing (a capture makes its image at once, `saving`), and
    /// records a pending job that will run it.
    func submit(_ spec: JobSpec, _ inner: Command, as identity: Identity, now: Date) async throws -> Job {
        let requestId = spec.requestId.isEmpty ? mint.requestId() : spec.requestId
        func job(_ resourceIds: [String], _ work: JobWork, jobId: String? = nil) -> Job {
            self.job(spec.action, zone: spec.zone, requestId: requestId, resourceIds, work, as: identity, now: now, jobId: jobId)
        }
        switch inner {
        case .asJob:
            throw CanonicalError.invalidParameter(field: "command", message: "cannot be a job inside a job")
        case .captureImage(let instance, let patch):
            // The image and the job that finishes it are stored together.
            let jobId = mint.jobId()
            let finishing: @Sendable (String) -> Job = { imageId in
                self.job(spec.action, zone: spec.zone, requestId: requestId, [imageId], .finishCapture(imageId: imageId),
                         as: identity, now: now, jobId: jobId)
            }
            let made = try await capture(instance: instance, patch, as: identity, now: now, job: finishing)
            return finishing(made.image.imageId)
        case .batchDeleteImages(let refs):
            // Checked without deleting: a 10,000-image batch is not deleted twice.
            return try await enqueue(job(try await batchTargets(refs, as: identity), .command(inner)))
        case .updateImage(let selector, let patch):
            let image = try await updated(selector, patch, as: identity, now: now)
            try await stores.images.checkUnique(image, keys: ImageUniqueness.keys)
            return try await enqueue(job([image.imageId], .command(inner)))
        case .deleteImage(let selector):
            let found = try await findWritable(selector, as: identity).image
            if let match = try await stores.images.resolve([found.imageId], reach: .all).first ?? nil {
                try ImageDeletion.check(match)
            }
            return try await enqueue(job([found.imageId], .command(inner)))
        default:
            // A read has nothing to check but itself; other mutations have no check without
            // their effect, so they do not run as jobs (no dialect asks for one).
            guard inner.isReadOnly else {
                throw CanonicalError.invalidParameter(field: "command", message: "cannot run as a job")
            }
            let checked = try await run(inner, as: identity, now: now)
            return try await enqueue(job(checked.resourceIds, .command(inner)))
        }
    }
}

extension CommandResult {
    /// The ids a job reports as its resources.
    var resourceIds: [String] {
        switch self {
        case .image(let v): [v.image.imageId]
        case .images(let page): page.items.map(\.image.imageId)
        case .imagesDeleted(let imageIds): imageIds
        case .application(let a): a.id.map { [String($0)] } ?? []
        case .instance(let v): v.instance.id.map { [String($0)] } ?? []
        case .instances(let page): page.items.compactMap { $0.instance.id.map(String.init) }
        default: []
        }
    }
}
