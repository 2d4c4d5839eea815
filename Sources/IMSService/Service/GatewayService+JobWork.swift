import Foundation
import IMSModel

/// What jobs do once they are answered. Each job's outcome and the image it concerns are
/// recorded together (`JobQueue.finish`).
extension GatewayService {
    /// `again`: an earlier try of this job failed with the database, maybe after its change was
    /// committed (the answer lost): what that try may have done is taken as done.
    func perform(_ work: JobWork, of job: Job, worker: String, again: Bool = false) async throws {
        let jobs = stores.jobs
        func finish(info: String = "", image: (String, ImageStateChange)? = nil) async throws {
            if try await !jobs.finish(job.jobId, worker: worker, .successful, info: info, at: mint.now(),
                                      image: image.map { (imageId: $0.0, change: $0.1) }) {
                Self.logger.notice("job finished by another worker", metadata: ["job_id": .string(job.jobId)])
            }
        }
        switch work {
        case .finishCapture(let imageId):
            _ = try await stored(imageId)
            try await finish(image: (imageId, ImageStateChange(status: .active, transitionStatus: "", at: mint.now())))
        case .fetchImport(let imageId, let url):
            let measured = try await stores.bytes.fetch(url, allowedBy: options.importPolicy, as: imageId)
            try await stores.uploads.completeFile(imageId, measured, at: mint.now())
            try await finish(image: (imageId, Self.active(measured, at: mint.now())))
        case .copyImageFile(let source, let target):
            let measured = try await stores.bytes.copy(from: source, to: target)
            try await stores.uploads.completeFile(target, measured, at: mint.now())
            try await finish(image: (target, Self.active(measured, at: mint.now())))
        case .writeExport(let imageId, let bucket):
            let format = try await stores.images.image(.ref(imageId), reach: .all, within: [])?.image.diskFormat ?? "img"
            let path = try await stores.bytes.export(imageId, format: format, bucket: bucket)
            try await finish(info: path)
        case .command(let command):
            let operatorIdentity = Identity(user: "jobs", tenant: job.owner, isOperator: true)
            let result: CommandResult
            // The batch was resolved and checked when it was queued: deleted as the job stored
            // it if nothing changed since (checking again first cost 11–19 ms of a 10,000-image
            // job); if something did, the command's full check names what.
            if case .batchDeleteImages = command, try await stores.images.deleteAll(job.resourceIds, unless: ImageDeletion.holds) {
                result = .imagesDeleted(job.resourceIds)
            } else if again, case .batchDeleteImages = command, try await noneLeft(job.resourceIds) {
                // All-or-nothing: none left means the earlier try deleted them all.
                result = .imagesDeleted(job.resourceIds)
            } else {
                result = try await run(command, as: operatorIdentity, now: mint.now())
            }
            try await finish()
            await removeFiles(after: command, result)
        }
    }

    /// Whether none of these images is stored any more.
    private func noneLeft(_ imageIds: [String]) async throws -> Bool {
        for imageId in imageIds where try await stores.images.image(.ref(imageId), reach: .all, within: []) != nil { return false }
        return true
    }

    /// Bytes a job fetched or copied: the image is active with their size and checksum.
    static func active(_ measured: MeasuredBytes, at: Date) -> ImageStateChange {
        ImageStateChange(status: .active, errMessage: "", size: measured.size, checksum: measured.md5, at: at)
    }

    /// What a failed job leaves behind: an import, copy or capture that never got its bytes is killed.
    static func failed(_ work: JobWork, reason: String, at: Date) -> (imageId: String, change: ImageStateChange)? {
        switch work {
        case .fetchImport(let imageId, _), .copyImageFile(_, let imageId), .finishCapture(let imageId):
            (imageId, ImageStateChange(status: .killed, errMessage: reason, at: at))
        case .writeExport, .command:
            nil
        }
    }
}
