import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// `JobQueue`'s contract: claims under a lease, resumed by another worker once it lapses, and
/// finished exactly once; against every store.
@Suite struct JobQueueContractTests {
    typealias S = ContractStores

    static func job(_ id: String, at: Date = S.epoch, work: JobWork = .finishCapture(imageId: "img-capture1")) -> Job {
        Job(jobId: id, action: "CaptureInstance", status: .pending, zone: "ac1", requestId: "req-\(id)",
            resourceIds: ["img-capture1"], owner: "acme", createdAt: at, command: work)
    }

    @Test(arguments: StoreFactory.all) func aLapsedLeaseIsClaimedByAnotherWorkerAndTheJobFinishesOnce(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let jobs = stores.jobs
            try await jobs.enqueue(Self.job("j-older", at: S.epoch))
            try await jobs.enqueue(Self.job("j-newer", at: S.epoch + 1, work: .command(.batchDeleteImages(["img-a", "img-b"]))))
            await #expect(throws: CanonicalError.conflict(field: "jobId", message: "has already been taken")) {
                try await jobs.enqueue(Self.job("j-older"))
            }
            // Polled without its work.
            let polled = try #require(try await jobs.job("j-older"))
            #expect(polled.command == nil && polled.status == .pending && polled.requestId == "req-j-older")

            let now = S.epoch + 10
            let claimedA = try await jobs.claim(worker: "gateway-a", limit: 1, now: now, until: now + 30)
            #expect(claimedA.map(\.jobId) == ["j-older"])
            #expect(claimedA.first?.command == .finishCapture(imageId: "img-capture1"))
            #expect(try await jobs.start("j-older", worker: "gateway-a", at: now))
            // A live lease: another worker gets only the other job, with its work intact.
            let claimedB = try await jobs.claim(worker: "gateway-b", limit: 5, now: now + 1, until: now + 31)
            #expect(claimedB.map(\.jobId) == ["j-newer"])
            #expect(claimedB.first?.command == .command(.batchDeleteImages(["img-a", "img-b"])))
            #expect(try await jobs.claim(worker: "gateway-b", limit: 5, now: now + 2, until: now + 32).isEmpty)

            // Gateway A dies; past its lease, B claims the job it held and works it from the start.
            let later = now + 60
            #expect(try await jobs.claim(worker: "gateway-b", limit: 5, now: later, until: later + 30).map(\.jobId) == ["j-older", "j-newer"])
            #expect(try await jobs.renew("j-older", worker: "gateway-a", until: later + 90) == false)
            #expect(try await jobs.start("j-older", worker: "gateway-b", at: later))
            #expect(try await jobs.job("j-older")?.beganAt == now)
            #expect(try await jobs.finish("j-older", worker: "gateway-b", .successful, info: "", at: later + 1, image: nil))
            // A finishes late: refused, nothing changes.
            #expect(try await jobs.finish("j-older", worker: "gateway-a", .failed, info: "late", at: later + 2, image: nil) == false)
            let done = try #require(try await jobs.job("j-older"))
            #expect(done.status == .successful && done.info == "" && done.finishedAt == later + 1)
            // Finished jobs are never claimed again; a released lease is free at once.
            try await jobs.release(worker: "gateway-b")
            #expect(try await jobs.claim(worker: "gateway-c", limit: 5, now: later + 3, until: later + 33).map(\.jobId) == ["j-newer"])
        }
    }

    @Test(arguments: StoreFactory.all) func jobsListNewestFirstThenLaterInsertedFirst(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let jobs = stores.jobs
            // Two in one millisecond: the later inserted lists first.
            for (id, at) in [("j-first", S.epoch), ("j-second", S.epoch), ("j-third", S.epoch + 1)] { try await jobs.enqueue(Self.job(id, at: at)) }
            var foreign = Self.job("j-foreign", at: S.epoch + 2)
            foreign.owner = "globex"
            try await jobs.enqueue(foreign)
            #expect(try await jobs.jobs(JobQuery(), owner: "acme").items.map(\.jobId) == ["j-third", "j-second", "j-first"])
            let page = try await jobs.jobs(JobQuery(offset: 1, limit: 2), owner: nil)
            #expect(page.items.map(\.jobId) == ["j-third", "j-second"] && page.total == 4)
            #expect(page.items.allSatisfy { $0.command == nil })
            let some = try await jobs.jobs(JobQuery(jobIds: ["j-first", "j-foreign", "J-THIRD"], statuses: [.pending], action: "CaptureInstance"),
                                           owner: "acme")
            #expect(some.items.map(\.jobId) == ["j-first"] && some.total == 1)
            #expect(try await jobs.jobs(JobQuery(limit: 1000), owner: nil).items.count == 4)
        }
    }

    @Test(arguments: StoreFactory.all) func concurrentClaimsNeverShareAJob(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let jobs = stores.jobs
            for i in 0..<40 { try await jobs.enqueue(Self.job("j-\(1000 + i)", at: S.epoch + Double(i))) }
            let claimed = await withTaskGroup(of: [String].self) { group in
                for w in 0..<8 {
                    group.addTask { (try? await jobs.claim(worker: "w\(w)", limit: 7, now: S.epoch + 100, until: S.epoch + 130))?.map(\.jobId) ?? [] }
                }
                return await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(claimed.count == 40)
            #expect(Set(claimed).count == 40)
        }
    }

    @Test(arguments: StoreFactory.all) func aJobsOutcomeAndItsImageCommitTogether(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            var image = S.image("TEST", ref: "img-capture1")
            image.status = .saving
            image.transitionStatus = "creating"
            _ = try await stores.images.insert(image, job: Self.job("j-capture"), unique: ImageUniqueness.keys)
            #expect(try await stores.jobs.job("j-capture")?.status == .pending)
            let claimed = try await stores.jobs.claim(worker: "w", limit: 1, now: S.epoch, until: S.epoch + 30)
            #expect(claimed.map(\.jobId) == ["j-capture"])
            let change = ImageStateChange(status: .active, transitionStatus: "", at: S.epoch + 5)
            #expect(try await stores.jobs.finish("j-capture", worker: "w", .successful, info: "", at: S.epoch + 5,
                                                 image: (imageId: "img-capture1", change: change)))
            let done = try #require(try await stores.images.image(.ref("img-capture1"), reach: .all, within: [])?.image)
            #expect(done.status == .active && done.transitionStatus == "" && done.statusTime == S.epoch + 5)
            #expect(done.createdAt == S.epoch)
        }
    }
}
