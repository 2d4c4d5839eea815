import GatewayHTTP
import Testing

/// Over a real socket (port 0): the gateway as clients meet it.
@Suite struct LiveServerTests {
    @Test func servesEveryDialectOverTCP() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run(.live) { client in
            #expect(try await client.send(.get, "/healthz").status == 200)
            let created = try await client.send(.post, "/api/compute_resources/1/images", body: .form([
                ("image[name]", "over-tcp"), ("image[username]", "root"), ("image[uuid]", "u-tcp"),
            ]))
            #expect(created.status == 201)
            #expect(created.headers[.requestID]?.isEmpty == false)
            let idc = try await client.send(.get, "/v2/zone/ac1/images", body: .raw("\n"))
            #expect(idc["total_count"] == 1)
            let missing = try await client.send(.get, "/no/such/route")
            #expect(missing.status == 404)
        }
    }

    @Test func requestIdIsTakenFromTheClient() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let reply = try await client.send(.get, "/api/image/v1/images", query: [("current", "1"), ("size", "5")],
                                              headers: ["x-regionid": "r", "X-Request-Id": "abc-123"])
            #expect(reply["requestId"] == "abc-123")
            #expect(reply.headers[.requestID] == "abc-123")
        }
    }
}
