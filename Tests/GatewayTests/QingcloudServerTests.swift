import Foundation
import GatewayHTTP
import Testing

/// The QingCloud dialect served from its file alone, in the terms of QingCloud's API: signed
/// `GET /iaas/?action=…` requests, as qingcloud-sdk sends them.
@Suite struct QingcloudServerTests {
    @Test func captureWaitDescribeModifyDeleteAndReadThroughTheOtherDialects() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let signer = QingcloudSigner()
        try signer.install(in: &gateway)
        try await gateway.run { client in
            let captured = try await client.action("CaptureInstance", [("instance", "i-qc000001"), ("image_name", "qc-golden")], signer: signer)
            #expect(captured.status == 200 && captured["action"] == "CaptureInstanceResponse" && captured["ret_code"] == 0)
            let imageId = try #require(captured["image_id"]?.stringValue)
            let jobId = try #require(captured["job_id"]?.stringValue)
            #expect(imageId.wholeMatch(of: /img-[a-z0-9]{8}/) != nil)
            let job = try await client.finishedQingcloudJob(jobId, signer: signer)
            #expect(job["status"] == "successful" && job["job_action"] == "CaptureInstance" && job["resource_ids"] == .string(imageId))

            let byId = try await client.action("DescribeImages", [("images.1", imageId), ("verbose", "0")], signer: signer)
            #expect(byId["action"] == "DescribeImagesResponse" && byId["total_count"] == 1)
            let image = try #require(byId["image_set"]?.arrayValue?.first)
            #expect(image["image_name"] == "qc-golden" && image["status"] == "available" && image["image_id"] == .string(imageId))
            let filtered = try await client.action("DescribeImages", [("status.1", "available"), ("provider", "self"),
                                                                      ("search_word", "qc-gold"), ("limit", "10")], signer: signer)
            #expect(filtered["image_set"]?.arrayValue?.compactMap { $0["image_id"]?.stringValue } == [imageId])
            let excluded = try await client.action("DescribeImages", [("images.1", imageId), ("status.1", "deleted")], signer: signer)
            #expect(excluded["total_count"] == 0)

            let modified = try await client.action("ModifyImageAttributes", [("image", imageId), ("image_name", "qc-renamed"),
                                                                              ("description", "from qingcloud")], signer: signer)
            #expect(modified["ret_code"] == 0)
            _ = try await client.finishedQingcloudJob(try #require(modified["job_id"]?.stringValue), signer: signer)

            // The same image through the other three dialects.
            let cec = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: ["x-regionid": "region0"])
            #expect(cec["data"]?["name"] == "qc-renamed" && cec["data"]?["description"] == "from qingcloud")
            let idc = try await client.send(.get, "/v2/zone/ac1/images", query: [("images.1", imageId)])
            #expect(idc["total_count"] == 1 && lookup(idc.json!, "images.0.image_name") == "qc-renamed")
            let row = try #require(cec["data"]?["id"])
            let foreman = try await client.send(.get, "/api/compute_resources/1/images/\(row.serialized)")
            #expect(foreman["name"] == "qc-renamed")

            let recent = try await client.action("DescribeJobs", [("offset", "0"), ("limit", "10")], signer: signer)
            #expect(recent["total_count"] == 2 && recent["job_set"]?.arrayValue?.count == 2)

            let deleted = try await client.action("DeleteImages", [("images.1", imageId)], signer: signer)
            let deleteJob = try await client.finishedQingcloudJob(try #require(deleted["job_id"]?.stringValue), signer: signer)
            #expect(deleteJob["status"] == "successful")
            let gone = try await client.action("DescribeImages", [("images.1", imageId)], signer: signer)
            #expect(gone["total_count"] == 0)
        }
    }

    @Test func refusalsAreRetCodesWithHTTP200AndChangeNothing() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let signer = QingcloudSigner()
        try signer.install(in: &gateway)
        try await gateway.run { client in
            let made = try await client.action("CaptureInstance", [("instance", "i-1"), ("image_name", "keep")], signer: signer)
            let kept = try #require(made["image_id"]?.stringValue)
            _ = try await client.finishedQingcloudJob(try #require(made["job_id"]?.stringValue), signer: signer)

            let unknown = try await client.action("ModifyImageAttributes", [("image", "img-zzzzzzzz"), ("image_name", "x")], signer: signer)
            #expect(unknown.status == 200 && unknown["ret_code"] == 2100)
            // All or nothing, as 51idc: one unknown id and the known one stays.
            let partly = try await client.action("DeleteImages", [("images.1", kept), ("images.2", "img-zzzzzzzz")], signer: signer)
            #expect(partly.status == 200 && partly["ret_code"] == 2100 && partly["message"]?.stringValue?.contains("img-zzzzzzzz") == true)
            #expect(try await client.action("DescribeImages", [("images.1", kept)], signer: signer)["total_count"] == 1)

            let wrongSecret = try await client.send(.get, "/iaas/", query: signer.query([("action", "DescribeImages")], secret: "not-it"), auth: .none)
            #expect(wrongSecret.status == 200 && wrongSecret["ret_code"] == 1200 && !wrongSecret.text.contains("not-it"))
            let unsigned = try await client.send(.get, "/iaas/", query: [("action", "DescribeImages")], auth: .none)
            #expect(unsigned["ret_code"] == 1200)
            let stale = try await client.send(.get, "/iaas/", query: signer.query([("action", "DescribeImages")],
                                                                                   signedAt: Date() - 20 * 60), auth: .none)
            #expect(stale["ret_code"] == 1200)
            let replayed = signer.query([("action", "DescribeImages")])
            #expect(try await client.send(.get, "/iaas/", query: replayed, auth: .none)["ret_code"] == 0)
            #expect(try await client.send(.get, "/iaas/", query: replayed, auth: .none)["ret_code"] == 1200)

            let noAction = try await client.action("LaunchRockets", [], signer: signer)
            #expect(noAction.status == 200 && noAction["ret_code"] == 1400)
            let badLimit = try await client.action("DescribeImages", [("limit", "1000")], signer: signer)
            #expect(badLimit.status == 200 && badLimit["ret_code"] == 1400 && badLimit["message"]?.stringValue?.contains("[limit]") == true)
        }
    }

    /// The same actions as a POST form, which the SDK's connection can also send.
    @Test func aPostFormIsTheSameRequest() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let signer = QingcloudSigner()
        try signer.install(in: &gateway)
        try await gateway.run { client in
            let made = try await client.send(.post, "/iaas/", body: .form(signer.query([("action", "CaptureInstance"), ("instance", "i-1"),
                                                                                         ("image_name", "by-form")], method: "POST")), auth: .none)
            #expect(made.status == 200 && made["ret_code"] == 0 && made["image_id"]?.stringValue?.hasPrefix("img-") == true)
            let listed = try await client.send(.post, "/iaas/", body: .form(signer.query([("action", "DescribeImages"),
                                                                                           ("search_word", "by-form")], method: "POST")), auth: .none)
            #expect(listed["action"] == "DescribeImagesResponse" && listed["total_count"] == 1)
            // The signature covers the method: a GET's signature does not pass for a POST.
            let moved = try await client.send(.post, "/iaas/", body: .form(signer.query([("action", "DescribeImages")])), auth: .none)
            #expect(moved["ret_code"] == 1200)
        }
    }
}
