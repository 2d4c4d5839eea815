import Foundation
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreSQLite
import Testing

/// A job a gateway claimed and then died holding is worked by another once the lease has
/// lapsed, and finishes once: the dead one's late answer changes nothing.
@Suite struct JobLeaseTests {
    @Test func aJobWhoseHolderDiedIsFinishedOnceByAnotherWorker() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let spec = JobSpec(action: "CaptureInstance", zone: "ac1", requestId: "r-lease")
        guard case .job(let job) = try await store.execute(.asJob(spec, .captureImage(instance: "i-IN234BH", patch: [.name: "TEST"])),
                                                           as: .anonymousOperator)
        else { Issue.record("no job"); return }
        // Another gateway claimed it, started it and was killed: its lease has lapsed.
        let jobs = store.stores.jobs
        let now = Date()
        #expect(try await jobs.claim(worker: "killed-gateway", limit: 5, now: now, until: now - 1).map(\.jobId) == [job.jobId])
        #expect(try await jobs.start(job.jobId, worker: "killed-gateway", at: now))

        let worker = Task { try await store.worker.run() }
        defer { worker.cancel() }
        store.worker.wake()
        var finished: Job?
        for _ in 0..<500 {
            if let polled = try await jobs.job(job.jobId), polled.status == .successful || polled.status == .failed {
                finished = polled
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(finished?.status == .successful)
        #expect(finished?.beganAt != nil)
        // The killed gateway's late answer is refused and changes nothing.
        #expect(try await jobs.finish(job.jobId, worker: "killed-gateway", .failed, info: "late", at: Date(), image: nil) == false)
        #expect(try await jobs.job(job.jobId)?.status == .successful)
        guard case .image(let view) = try await store.execute(.getImage(ImageSelector(ref: job.resourceIds[0])), as: .anonymousOperator)
        else { Issue.record("no image"); return }
        #expect(view.image.status == .active)
    }
}
