@testable import IMSModel
@testable import IMSStoreSQLite
import Testing

/// 51idc jobs run after they are answered: pending → working → successful, and a restart
/// picks up what was left unfinished.
@Suite struct JobTests {
    @Test func aCaptureJobMovesThroughItsStates() async throws {
        var gateway = try TestGateway()
        gateway.config.jobDelayMs = 2000  // the first poll must come before the job starts, even on a loaded 2-core machine
        defer { gateway.remove() }
        try await gateway.run { client in
            let reply = try await client.send(.post, "/v2/zone/ac1/images", body: .raw(#"{"instance":"i-IN234BH","image_name":"TEST"}"#))
            let jobId = try #require(reply["job_id"]?.stringValue)
            var seen: [String] = []
            var imageStates: [String] = []
            for _ in 0..<200 {
                let job = try await client.send(.get, "/v2/zone/ac1/jobs/\(jobId)")
                let status = job["status"]!.stringValue!
                if seen.last != status { seen.append(status) }
                let images = try await client.send(.get, "/v2/zone/ac1/images")
                if let s = lookup(images.json!, "images.0.status")?.stringValue, imageStates.last != s { imageStates.append(s) }
                if status == "successful" || status == "failed" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            // Polling may miss the short working state on a busy machine, never the order.
            #expect(seen.first == "pending" && seen.last == "successful")
            #expect(seen == ["pending", "working", "successful"].filter(seen.contains))
            #expect(imageStates == ["pending", "available"])
            let job = try await client.send(.get, "/v2/zone/ac1/job/\(jobId)")
            #expect(job["begin_time"]?.stringValue?.isEmpty == false)
            #expect(job["finished_time"]?.stringValue?.isEmpty == false)
        }
    }

    @Test(.sqliteStoreOnly) func unfinishedJobsResumeAfterARestart() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        // A store whose job runner never ran: the job is acknowledged and left pending.
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let rename = try await store.execute(.createImage([.name: "before", .owner: "default"]), as: .anonymousOperator)
        guard case .image(let view) = rename else { Issue.record("no image"); return }
        let answered = try await store.execute(
            .asJob(JobSpec(action: "ModifyImageAttributes", zone: "ac1", requestId: "r1"),
                   .updateImage(ImageSelector(ref: view.image.imageId), [.name: "after"])),
            as: .anonymousOperator)
        guard case .job(let job) = answered else { Issue.record("no job"); return }
        #expect(job.status == .pending)

        try await gateway.run { client in
            #expect(try await client.finishedJob(job.jobId)["status"] == "successful")
            let images = try await client.send(.get, "/v2/zone/ac1/images")
            #expect(lookup(images.json!, "images.0.image_name") == "after")
        }
    }

    @Test func aJobWhoseWorkFailsIsFailedWithInfo() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        // Each job waits this long twice before it works: the second delete must be checked
        // while the first is still queued (at 100 ms a loaded machine lost that race).
        gateway.config.jobDelayMs = 1_500
        try await gateway.run { client in
            let made = try await client.idcMutation(.post, "/v2/zone/ac1/images", body: .json(["instance": "i-1", "image_name": "gone-soon"]))
            let imageId = try #require(made.job.flatMap { lookup($0, "resource_ids.0") }?.stringValue)
            // Both are accepted (the image exists when each is checked); the second finds it gone.
            let first = try await client.send(.delete, "/v2/zone/ac1/images/\(imageId)")
            let second = try await client.send(.delete, "/v2/zone/ac1/images/\(imageId)")
            let firstJob = try #require(first["job_id"]?.stringValue, "\(first.text)")
            let secondJob = try #require(second["job_id"]?.stringValue, "\(second.text)")
            let results = [try await client.finishedJob(firstJob), try await client.finishedJob(secondJob)]
            #expect(results.map { $0["status"]! }.sorted { $0.serialized < $1.serialized } == ["failed", "successful"])
            let failed = try #require(results.first { $0["status"] == "failed" })
            #expect(failed["info"]?.stringValue?.contains(imageId) == true)
        }
    }

    /// A batch delete's job deletes what was checked when it was queued, unless something
    /// changed since: then nothing is deleted and the job fails naming the change.
    @Test(.sqliteStoreOnly) func aQueuedBatchDeleteSeesWhatChangedSinceItWasChecked() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        var views: [ImageView] = []
        for name in ["a", "b", "c", "d", "e"] {
            guard case .image(let view) = try await store.execute(.createImage([.name: .string(name), .owner: "default"]), as: .anonymousOperator)
            else { Issue.record("no image"); return }
            views.append(view)
        }
        func queue(_ refs: [String]) async throws -> Job {
            let spec = JobSpec(action: "DeleteImages", zone: "ac1", requestId: "r")
            guard case .job(let job) = try await store.execute(.asJob(spec, .batchDeleteImages(refs)), as: .anonymousOperator)
            else { throw CanonicalError.internal("no job") }
            return job
        }
        // By row id and by image id, one named twice; then a batch whose image is shared (and
        // one that is deleted) after the batch was queued.
        let plain = try await queue([String(views[0].image.id!), views[1].image.imageId, views[1].image.imageId])
        #expect(plain.resourceIds == [views[0].image.imageId, views[1].image.imageId])
        let sharedLater = try await queue([views[2].image.imageId, views[3].image.imageId])
        let goneLater = try await queue([views[4].image.imageId, views[3].image.imageId])
        _ = try await store.execute(.shareImage(ImageSelector(ref: views[3].image.imageId), userIds: ["8"]), as: .anonymousOperator)
        _ = try await store.execute(.deleteImage(ImageSelector(ref: views[4].image.imageId)), as: .anonymousOperator)

        let goneId = views[4].image.imageId
        try await gateway.run { client in
            #expect(try await client.finishedJob(plain.jobId)["status"] == "successful")
            let shared = try await client.finishedJob(sharedLater.jobId)
            #expect(shared["status"] == "failed")
            #expect(shared["info"]?.stringValue?.contains("shared") == true)
            let gone = try await client.finishedJob(goneLater.jobId)
            #expect(gone["status"] == "failed")
            #expect(gone["info"]?.stringValue?.contains(goneId) == true)
        }
        for (view, kept) in zip(views, [false, false, true, true, false]) {
            let found = try? await store.execute(.getImage(ImageSelector(ref: view.image.imageId)), as: .anonymousOperator)
            #expect((found != nil) == kept, "\(view.image.name)")
        }
    }
}
