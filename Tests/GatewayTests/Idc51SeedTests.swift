import GRDB
@testable import IMSModel
import Testing

/// Seed 001's endpoints, with the seed's own curl requests (Fixtures/idc51.json).
@Suite struct Idc51SeedTests {
    let seeds: [String: SeedCase]
    init() throws { seeds = try SeedCase.load("idc51") }

    @Test func captureModifyListDeleteEachAnswerAJob() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            let capture = seeds["capture-image"]!
            let captured = try await capture.send(client)
            expectConforms(captured, to: capture, equal: ["action", "ret_code"])
            let jobId = try #require(captured["job_id"]?.stringValue)

            try await client.finishedJob(jobId)
            let getJob = seeds["get-job"]!
            let job = try await getJob.at("/v2/zone/ac1/job/\(jobId)").send(client)
            expectConforms(job, to: getJob, equal: ["action", "status", "zone", "id_prefix", "extra"])
            let imageId = try #require(lookup(job.json!, "resource_ids.0")?.stringValue)
            #expect(imageId.wholeMatch(of: /img-[a-z0-9]{8}/) != nil)
            // `/jobs/` is served too.
            #expect(try await client.send(.get, "/v2/zone/ac1/jobs/\(jobId)").status == 200)

            let modify = seeds["modify-image"]!
            let (text, type) = try #require(modify.rawBody, "the seed's modify-image is sent as curl sends it")
            let modified = try await client.send(.put, "/v2/zone/ac1/images",
                                                 body: .raw(text.replacingOccurrences(of: "img-IDNC88D", with: imageId), contentType: type))
            expectConforms(modified, to: modify, equal: ["action", "ret_code"])
            #expect(try await client.finishedJob(modified["job_id"]!.stringValue!)["status"] == "successful")

            let list = seeds["list-images"]!
            let listed = try await list.send(client)
            expectConforms(listed, to: list, equal: ["total_count", "ret_code", "images.0.image_name", "images.0.description",
                                                     "images.0.status", "images.0.processor_type", "images.0.provider",
                                                     "images.0.visibility", "images.0.transition_status"])
            #expect(lookup(listed.json!, "images.0.image_id") == .string(imageId))

            let delete = seeds["delete-images"]!
            let deleted = try await delete.at("/v2/zone/ac1/images/\(imageId)").send(client)
            expectConforms(deleted, to: delete, equal: ["action", "ret_code"])
            try await client.finishedJob(deleted["job_id"]!.stringValue!)
            let after = try await list.send(client)
            #expect(after["total_count"] == 0)
        }
    }

    @Test func listFiltersFromQueryOrGetBody() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            var ids: [String] = []
            for name in ["web-a", "web-b", "db-a"] {
                let job = try await client.send(.post, "/v2/zone/ac1/images", body: .raw(#"{"instance":"i-1","image_name":"\#(name)"}"#))
                let jobId = try #require(job["job_id"]?.stringValue)
                let detail = try await client.finishedJob(jobId)
                ids.append(try #require(lookup(detail, "resource_ids.0")?.stringValue))
            }
            let byWord = try await client.send(.get, "/v2/zone/ac1/images", query: [("search_word", "web")])
            #expect(byWord["total_count"] == 2)
            let byBody = try await client.send(.get, "/v2/zone/ac1/images", body: .raw(#"{"search_word":"db","status":"available"}"#))
            #expect(byBody["total_count"] == 1)
            let byId = try await client.send(.get, "/v2/zone/ac1/images", body: .json(["images": [.string(ids[0]), .string(ids[2])]]))
            #expect(byId["total_count"] == 2)
            // The numbered list its ancestor API's clients send (`images.1=…`) is read, not ignored.
            let numbered = try await client.send(.get, "/v2/zone/ac1/images", query: [("images.1", ids[1]), ("images.2", ids[2])])
            #expect(numbered["total_count"] == 2 && lookup(numbered.json!, "images.0.image_id") != .string(ids[0]))
            let badNumber = try await client.send(.get, "/v2/zone/ac1/images", query: [("images.0", ids[1])])
            #expect(badNumber.status == 400 && badNumber["ret_code"] == 1400)
            // One id in all three encodings, among thousands of unknown ones: listed once.
            var many: [String: JSONValue] = ["images": [.string(ids[1])]]
            for n in 1...5_000 { many["images.\(n)"] = .string(n == 2_500 ? ids[1] : "img-u\(n)") }
            let merged = try await client.send(.get, "/v2/zone/ac1/images", query: [("images[]", ids[1])], body: .json(.object(many)))
            #expect(merged["total_count"] == 1 && lookup(merged.json!, "images.0.image_id") == .string(ids[1]))
            let page = try await client.send(.get, "/v2/zone/ac1/images", query: [("limit", "1"), ("offset", "1")])
            #expect(page["total_count"] == 3)
            if case .array(let items)? = page["images"] { #expect(items.count == 1) }
            let bits = try await client.send(.get, "/v2/zone/ac1/images", query: [("processor_type", "32bit")])
            #expect(bits["total_count"] == 0)
            let pending = try await client.send(.get, "/v2/zone/ac1/images", query: [("status", "pending")])
            #expect(pending["total_count"] == 0)
        }
    }

    @Test(.sqliteStoreOnly) func batchDeleteIsAllOrNothing() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            var ids: [String] = []
            for name in ["a", "c"] {
                let job = try await client.send(.post, "/v2/zone/ac1/images", body: .json(["instance": "i-1", "image_name": .string(name)]))
                let detail = try await client.finishedJob(job["job_id"]!.stringValue!)
                ids.append(try #require(lookup(detail, "resource_ids.0")?.stringValue))
            }
            // a,b,c where b does not exist: 404 with ret_code 2100, and a and c are still there.
            let reply = try await client.send(.delete, "/v2/zone/ac1/images/\(ids[0]),img-missing1,\(ids[1])")
            #expect(reply.status == 404)
            #expect(reply["ret_code"] == 2100)
            #expect(reply["message"]?.stringValue?.contains("img-missing1") == true)
            let list = try await client.send(.get, "/v2/zone/ac1/images")
            #expect(list["total_count"] == 2)

            // An id given twice is deleted once.
            let ok = try await client.send(.delete, "/v2/zone/ac1/images/\(ids[0]),\(ids[1]),\(ids[0])")
            #expect(ok.status == 200)
            let job = try await client.finishedJob(ok["job_id"]!.stringValue!)
            #expect(job["resource_ids"] == .array(ids.map { .string($0) }))
            #expect(try await client.send(.get, "/v2/zone/ac1/images")["total_count"] == 0)
            // With no job left, the runner takes the deleted names out of the name index.
            let store = try DatabaseQueue(path: gateway.dataPath)
            var stale = -1
            for _ in 0..<500 where stale != 0 {
                stale = try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM imageNameSearchStale") ?? -1 }
                if stale != 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(stale == 0)
        }
    }

    @Test func unknownJobIsNotFound() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let reply = try await client.send(.get, "/v2/zone/ac1/job/j-nothere")
            #expect(reply.status == 404)
            #expect(reply["ret_code"] == 2100)
        }
    }
}

extension Idc51SeedTests {
    @Test func batchDeleteTakesIdsInTheBodyToo() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            var ids: [JSONValue] = []
            for name in ["x", "y"] {
                let made = try await client.idcMutation(.post, "/v2/zone/ac1/images", body: .json(["instance": "i-1", "image_name": .string(name)]))
                ids.append(try #require(made.job.flatMap { lookup($0, "resource_ids.0") }))
            }
            let deleted = try await client.idcMutation(.delete, "/v2/zone/ac1/images", body: .json(["images": .array(ids)]))
            #expect(deleted.job?["status"] == "successful")
            #expect(deleted.job?["resource_ids"] == .array(ids))
            #expect(try await client.send(.get, "/v2/zone/ac1/images")["total_count"] == 0)
            let empty = try await client.send(.delete, "/v2/zone/ac1/images", body: .json([:]))
            #expect(empty.status == 400 && empty["ret_code"] == 1400)
        }
    }
}
