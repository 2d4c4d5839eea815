import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Works off pending jobs in the background: pending → working → successful or failed. With no
/// job to do it takes deleted images' names out of the name index (`NameIndex.purge`).
/// Runs as a service beside the server; on graceful shutdown it lets the store's jobs in hand
/// finish and leaves those moving bytes for the next start.
final class JobRunner: Service, @unchecked Sendable {
    /// Set once, right after the backend is made (the two refer to each other).
    weak var backend: BundledBackend?
    let delay: Duration
    private let wakeups: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    let logger = Logger(label: "ims-gateway.jobs")

    init(delay: Duration) {
        self.delay = delay
        (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Tells the runner there may be new work.
    func wake() { continuation.yield() }

    func run() async throws {
        await withGracefulShutdownHandler {
            var iterator = wakeups.makeAsyncIterator()
            // Shutting down, no new batch is taken: what is left resumes at the next start.
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                guard let backend else { return }
                let batch = (try? await backend.pool.read { db in try JobStore.runnable(limit: 16, in: db) }) ?? []
                if batch.isEmpty {
                    if !Task.isShuttingDownGracefully, await purgeNameIndex(on: backend) { continue }
                    guard await iterator.next() != nil else { return }
                    continue
                }
                await withTaskGroup(of: Void.self) { group in
                    for job in batch { group.addTask { await self.perform(job, on: backend) } }
                }
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }

    /// One batch of the purge; answers whether there may be more.
    private func purgeNameIndex(on backend: BundledBackend) async -> Bool {
        do {
            return try await backend.pool.write { db in try NameIndex.purge(limit: 1000, in: db) } > 0
        } catch {
            logger.warning("name index purge failed", metadata: ["error": .string("\(error)")])
            return false
        }
    }

    private func perform(_ job: Job, on backend: BundledBackend) async {
        guard let command = job.command else {
            try? await backend.pool.write { db in try JobStore.mark(job.jobId, .successful, now: Date(), in: db) }
            return
        }
        do {
            if delay > .zero { try await Task.sleep(for: delay) }
            try await backend.pool.write { db in try JobStore.mark(job.jobId, .working, now: Date(), in: db) }
            if delay > .zero { try await Task.sleep(for: delay) }
            if command.movesBytes {
                // A fetch or copy may take hours; shutdown does not wait for it. Cancelled, the
                // job stays `working`, and the next start works it again from the beginning.
                try await cancelWhenGracefulShutdown { try await self.work(command, job: job, on: backend) }
            } else {
                try await work(command, job: job, on: backend)
            }
        } catch where Task.isShuttingDownGracefully || Task.isCancelled {
            logger.notice("job left for the next start", metadata: ["job_id": .string(job.jobId), "action": .string(job.action)])
        } catch {
            logger.warning("job failed", metadata: ["job_id": .string(job.jobId), "action": .string(job.action), "error": .string("\(error)")])
            let info = Self.clientSafe(error, job: job)
            try? await backend.pool.write { db in
                try JobStore.mark(job.jobId, .failed, info: info, now: Date(), in: db)
                try Self.failed(command, reason: info, in: db)
            }
        }
    }

    /// What a client may read of a job's failure (a job's `info`, an image's `errMessage`): our
    /// own errors' words; of anything else (an HTTP client's or the file system's error, which
    /// name addresses and paths) only that it failed. The log has the detail under the job id.
    static func clientSafe(_ error: any Error, job: Job) -> String {
        switch error {
        case let error as CanonicalError: error.description
        case let error as FileStore.FetchError: error.description
        default: "\(job.action) failed (job \(job.jobId); the gateway's log has the cause)"
        }
    }

    /// Does the job's work; the database change and the job's success commit together.
    private func work(_ command: JobWork, job: Job, on backend: BundledBackend) async throws {
        let files = backend.files
        switch command {
        case .finishCapture(let imageId):
            try await finish(job, on: backend) { db in _ = try ImageStore.setStatus(imageId, .active, now: Date(), in: db) }
        case .fetchImport(let imageId, let url):
            let measured = try await files.fetch(url, allowedBy: backend.options.importPolicy, as: imageId)
            try await finish(job, on: backend) { db in try FileRecords.completeFile(imageId, measured, now: Date(), in: db) }
        case .copyImageFile(let source, let target):
            let measured = try await files.copy(from: source, to: target)
            try await finish(job, on: backend) { db in try FileRecords.completeFile(target, measured, now: Date(), in: db) }
        case .writeExport(let imageId, let bucket):
            let format = try await backend.pool.read { db in
                try ImageStore.image(imageId: imageId, in: db)?.diskFormat ?? "img"
            }
            let path = try await files.export(imageId, format: format, bucket: bucket)
            try await finish(job, on: backend, info: path) { _ in }
        case .command(let command):
            let operatorIdentity = Identity(user: "jobs", tenant: job.owner, isOperator: true)
            let result = try await backend.pool.write { db -> CommandResult in
                let result: CommandResult
                if case .batchDeleteImages = command, let deleted = try ImageStore.deleteQueued(job.resources, in: db) {
                    result = .imagesDeleted(deleted)
                } else {
                    result = try backend.run(command, as: operatorIdentity, in: db)
                }
                try JobStore.mark(job.jobId, .successful, now: Date(), in: db)
                return result
            }
            await backend.removeFiles(after: command, result)
        }
    }

    private func finish(_ job: Job, on backend: BundledBackend, info: String = "",
                        _ change: @escaping @Sendable (Database) throws -> Void) async throws {
        try await backend.pool.write { db in
            try change(db)
            try JobStore.mark(job.jobId, .successful, info: info, now: Date(), in: db)
        }
    }

    /// What a failed job leaves behind: an import or copy that never got its bytes is killed.
    private static func failed(_ command: JobWork, reason: String, in db: Database) throws {
        switch command {
        case .fetchImport(let imageId, _), .copyImageFile(_, let imageId):
            try FileRecords.setStatus(imageId, .killed, message: reason, now: Date(), in: db)
        case .finishCapture(let imageId):
            try FileRecords.setStatus(imageId, .killed, message: reason, now: Date(), in: db)
        case .writeExport, .command:
            break
        }
    }
}
