import Dialects
import Foundation
import GatewayCore
import Hummingbird
import HummingbirdTesting
import NIOPosix
import ServiceLifecycle
import Testing

/// A gateway in remote mode when its backend dies, comes back, or is slow.
@Suite struct RemoteBackendTests {
    static func freePort() throws -> Int {
        let socket = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? socket.close().wait() }
        return socket.localAddress?.port ?? 0
    }

    @Test func aDeadBackendIsEachDialectsErrorAndItsReturnNeedsNoRestart() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let port = try Self.freePort()
        var front = gateway.frontConfig(backendPort: port)
        front.backend.connectTimeoutMs = 300
        front.backend.requestTimeoutMs = 1000
        front.backend.retries = 1
        let frontApp = try buildApplication(front, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
        gateway.config.listen.port = port
        let backConfig = gateway.config
        try await frontApp.test(.router) { raw in
            let client = GatewayClient(client: raw)
            func expectDown() async throws {
                let foreman = try await client.send(.get, "/api/compute_resources/1/images")
                #expect(foreman.status == 503 && foreman["error"]?["message"] != nil, "\(foreman.text)")
                let cec = try await client.send(.get, "/api/image/v1/images", query: [("current", "1"), ("size", "1")], headers: ["x-regionid": "r"])
                #expect(cec.status == 503 && cec["code"] == "IMG.Internal.Error", "\(cec.text)")
                let idc = try await client.send(.get, "/v2/zone/ac1/images")
                #expect(idc.status == 503 && idc["ret_code"] == 5000, "\(idc.text)")
                let ht = try await client.send(.get, "/v1/openstack/image/application/list")
                #expect(ht.status == 503 && ht["status"] == 503, "\(ht.text)")
            }
            try await expectDown()
            for round in 1...2 {
                // The backend on the port the front knows (HummingbirdTesting's live mode would pick another).
                let back = try buildApplication(backConfig, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
                let services = ServiceGroup(configuration: .init(services: [back], logger: TestGateway.quietLogger))
                let running = Task { try await services.run() }
                do {
                    var up = false
                    for _ in 0..<200 where !up {
                        up = try await client.send(.get, "/v2/zone/ac1/images").status == 200
                        if !up { try await Task.sleep(for: .milliseconds(20)) }
                    }
                    #expect(up, "the backend did not come up")
                    let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                        "image": ["name": .string("round-\(round)"), "username": "root", "uuid": .string("u-\(round)")],
                    ]))
                    #expect(made.status == 201, "\(made.text)")
                    let listed = try await client.send(.get, "/api/compute_resources/1/images")
                    #expect(listed["total"] == .int(Int64(round)))
                }
                await services.triggerGracefulShutdown()
                try await running.value
                try await expectDown()
            }
        }
    }

    @Test func aSlowBackendTimesOutInsteadOfHanging() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let slow = Router()
        slow.post("/ims/v1/execute") { _, _ -> String in
            try await Task.sleep(for: .seconds(2))
            return "{}"
        }
        try await Application(router: slow).test(.live) { slowClient in
            var front = gateway.frontConfig(backendPort: slowClient.port ?? 0)
            front.backend.requestTimeoutMs = 300
            front.backend.retries = 0
            let app = try buildApplication(front, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
            try await app.test(.router) { raw in
                let client = GatewayClient(client: raw)
                let started = ContinuousClock.now
                let reply = try await client.send(.get, "/v2/zone/ac1/images")
                #expect(reply.status == 503 && reply["ret_code"] == 5000, "\(reply.text)")
                // Not a timing assertion on speed: only that the deadline, not the 2 s sleep, ended it.
                #expect(ContinuousClock.now - started < .seconds(2))
            }
        }
    }
}
