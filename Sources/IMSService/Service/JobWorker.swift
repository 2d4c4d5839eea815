import Foundation
import IMSModel
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Works off jobs: claims them under a lease (so a job a killed gateway held goes to another
/// once the lease lapses), then pending → working → successful or failed. Runs as a service
/// beside the server; on graceful shutdown it lets the jobs in hand that change records finish,
/// and gives up those moving bytes (and every lease) for the next claim.
final class JobWorker: Service, @unchecked Sendable {
    /// Set once, right after the service is made (the two refer to each other).
    weak var service: GatewayService?
    let delay: Duration
    /// How long a claim holds a job; renewed while the job runs.
    let lease: Duration
    /// This worker's name in leases: unique per process.
    let name = "worker-" + RandomID.make(length: 12)
    private let wakeups: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    let logger = Logger(label: "ims-gateway.jobs")

    init(delay: Duration, lease: Duration = .seconds(30)) {
        self.delay = delay
        self.lease = lease
        (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Tells the worker there may be new work.
    func wake() { continuation.yield() }

    func run() async throws {
        guard let jobs = service?.stores.jobs else { return }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if let arrivals = jobs.arrivals() {
                    // Another gateway's jobs, and leases that lapse with no one telling: looked for now and then.
                    group.addTask { for await _ in arrivals { self.wake() } }
                    group.addTask {
                        while (try? await Task.sleep(for: self.lease / 2)) != nil { self.wake() }
                    }
                }
                await self.work(jobs)
                group.cancelAll()
            }
            try? await jobs.release(worker: self.name)
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }

    private func work(_ jobs: any JobQueue) async {
        var iterator = wakeups.makeAsyncIterator()
        // Shutting down, no new batch is taken: what is left resumes at the next claim.
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            guard let service else { return }
            let now = Date.wholeMilliseconds()
            let batch = (try? await jobs.claim(worker: name, limit: 16, now: now, until: now + lease.timeInterval)) ?? []
            if batch.isEmpty {
                guard await iterator.next() != nil else { return }
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                for job in batch { group.addTask { await self.perform(job, on: service) } }
            }
        }
    }

    private func perform(_ job: Job, on service: GatewayService) async {
        let jobs = service.stores.jobs
        guard let work = job.command else {
            _ = try? await jobs.finish(job.jobId, worker: name, .successful, info: "", at: Date.wholeMilliseconds(), image: nil)
            return
        }
        let claimed = ContinuousClock.now
        // A job claimed while `working` was started before, by a try that may have done its part.
        var again = job.status == .working
        do {
            if delay > .zero { try await Task.sleep(for: delay) }
            while true {
                do {
                    guard try await jobs.start(job.jobId, worker: name, at: Date.wholeMilliseconds()) else { return }
                    if delay > .zero { try await Task.sleep(for: delay) }
                    let again = again
                    try await holding(job) {
                        if work.movesBytes {
                            // A fetch or copy may take hours; shutdown does not wait for it. Cancelled, the
                            // job stays `working`, and the next claim works it again from the beginning.
                            try await cancelWhenGracefulShutdown { try await service.perform(work, of: job, worker: self.name, again: again) }
                        } else {
                            try await Self.within(self.lease) { try await service.perform(work, of: job, worker: self.name, again: again) }
                        }
                    }
                    return
                } catch let error as CanonicalError where StoreFault.isTransient(error) && ContinuousClock.now - claimed < lease {
                    // The database went away under the job: it has not failed, it is not done. Tried
                    // again while the claim lasts (the store's own rules make a second run of a
                    // committed step change nothing: `finish` only ends a job still working); after
                    // that the lease lapses and the next claim, here or elsewhere, takes it.
                    logger.notice("job waits for the database", metadata: ["job_id": .string(job.jobId), "error": .string("\(error)")])
                    again = true
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
        } catch where Task.isShuttingDownGracefully || Task.isCancelled {
            logger.notice("job left for the next start", metadata: ["job_id": .string(job.jobId), "action": .string(job.action)])
        } catch let error as CanonicalError where StoreFault.isTransient(error) {
            logger.warning("job left for the next claim: the database did not come back within its lease",
                           metadata: ["job_id": .string(job.jobId), "error": .string("\(error)")])
        } catch {
            logger.warning("job failed", metadata: ["job_id": .string(job.jobId), "action": .string(job.action), "error": .string("\(error)")])
            let info = Self.clientSafe(error, job: job)
            _ = try? await jobs.finish(job.jobId, worker: name, .failed, info: info, at: Date.wholeMilliseconds(),
                                       image: GatewayService.failed(work, reason: info, at: Date.wholeMilliseconds()))
        }
    }

    /// A job that only changes records is given its lease's length per try. A try still running
    /// then is given up, not waited for (seen after PostgreSQL was restarted under load: a try
    /// whose database call never ended, while its lease was renewed, so no one took the job): the
    /// worker stops renewing and the next claim works the job again. A try given up that ends
    /// later changes nothing twice: `finish` ends a job still `working` only.
    static func within(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
        let waiting = NIOLockedValueBox<CheckedContinuation<Void, any Error>?>(nil)
        @Sendable func end(_ outcome: Result<Void, any Error>) -> Bool {
            guard let continuation = waiting.withLockedValue({ taken in defer { taken = nil }; return taken }) else { return false }
            continuation.resume(with: outcome)
            return true
        }
        let timer = NIOLockedValueBox<Task<Void, any Error>?>(nil)
        defer { timer.withLockedValue { $0?.cancel() } }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiting.withLockedValue { $0 = continuation }
            let work = Task {
                do { try await body(); _ = end(.success(())) } catch { _ = end(.failure(error)) }
            }
            timer.withLockedValue {
                $0 = Task {
                    try await Task.sleep(for: limit)
                    if end(.failure(StoreFault.timedOut)) { work.cancel() }
                }
            }
        }
    }

    /// Runs `body` while renewing the job's lease, so a long job is not taken by another worker.
    private func holding(_ job: Job, _ body: @escaping @Sendable () async throws -> Void) async throws {
        let jobs = service?.stores.jobs
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while (try? await Task.sleep(for: self.lease / 3)) != nil {
                    _ = try? await jobs?.renew(job.jobId, worker: self.name, until: Date() + self.lease.timeInterval)
                }
            }
            defer { group.cancelAll() }
            try await body()
        }
    }

    /// What a client may read of a job's failure (a job's `info`, an image's `errMessage`): our
    /// own errors' words; of anything else (an HTTP client's or the file system's error, which
    /// name addresses and paths) only that it failed. The log has the detail under the job id.
    static func clientSafe(_ error: any Error, job: Job) -> String {
        switch error {
        case let error as CanonicalError: error.description
        case let error as ImportFetchError: error.description
        default: "\(job.action) failed (job \(job.jobId); the gateway's log has the cause)"
        }
    }
}
