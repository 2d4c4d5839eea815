import GatewayHTTP
import Testing

/// What was acknowledged survives a restart on the same data file.
@Suite struct RestartTests {
    @Test func everythingAcknowledgedIsThereAfterRestart() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let (imageId, appId, jobId) = try await gateway.run { client in
            let foreman = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                "image": ["name": "kept", "username": "root", "uuid": "u-kept"],
            ]))
            let app = try await client.send(.post, "/v1/openstack/image/application/create", body: .form([
                ("name", "kept-app"), ("displayname", "d"), ("picture", "p"), ("description", "x"),
            ]))
            let job = try await client.send(.post, "/v2/zone/ac1/images", body: .raw(#"{"instance":"i-9"}"#))
            try await client.finishedJob(job["job_id"]!.stringValue!)
            return (foreman["id"]!, lookup(app.json!, "result.unique")!, job["job_id"]!.stringValue!)
        }
        try await gateway.run { client in
            let image = try await client.send(.get, "/api/compute_resources/1/images/\(imageId.serialized)")
            #expect(image["name"] == "kept")
            let app = try await client.send(.get, "/v1/openstack/image/application/\(appId.serialized)/get")
            #expect(lookup(app.json!, "result.name") == "kept-app")
            let job = try await client.send(.get, "/v2/zone/ac1/job/\(jobId)")
            #expect(job["status"] == "successful")
            #expect(try await client.send(.get, "/v2/zone/ac1/images")["total_count"] == 2)
        }
    }
}
