import Glibc
import AsyncHTTPClient
import Dialects
import Foundation
@testable import GatewayHTTP
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

    /// A port nothing can listen on while `body` runs: bound, never listening, so a connection
    /// to it is refused. (A port from `freePort` is free again at once, and with hundreds of
    /// tests starting servers at once another may take it.)
    static func withRefusingPort<T>(_ body: (Int) async throws -> T) async throws -> T {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw GatewayStartError("socket: errno \(errno)") }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                Glibc.bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound else { throw GatewayStartError("bind: errno \(errno)") }
        return try await body(Int(UInt16(bigEndian: address.sin_port)))
    }

    /// An answer names neither the backend nor the HTTP client's errors.
    static func expectNothingInternal(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        for word in ["127.0.0.1", "://", "NIO", "HTTPClient", "refused", "canonical", "Error("] {
            #expect(!reply.text.contains(word), "\(reply.text)", sourceLocation: sourceLocation)
        }
    }

    @Test func aDeadBackendIsEachDialectsErrorAndItsReturnNeedsNoRestart() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let port = try Self.freePort()
        var front = gateway.frontConfig(backendPort: port)
        front.backendInUse.connectTimeoutMs = 300
        front.backendInUse.requestTimeoutMs = 1000
        front.backendInUse.retries = 1
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
                let ready = try await client.send(.get, "/readyz")
                #expect(ready.status == 503, "\(ready.text)")
                for reply in [foreman, cec, idc, ht, ready] { Self.expectNothingInternal(reply) }
                // Refused connections mean the backend never saw the create.
                let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                    "image": ["name": "never", "username": "root", "uuid": "u-never"],
                ]))
                #expect(made.status == 503 && made.text.contains("nothing was changed"), "\(made.text)")
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
            front.backendInUse.requestTimeoutMs = 300
            front.backendInUse.retries = 0
            let app = try buildApplication(front, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
            try await app.test(.router) { raw in
                let client = GatewayClient(client: raw)
                let reply = try await client.send(.get, "/v2/zone/ac1/images")
                // The deadline ended it (the answer times are scripts/faults' to measure).
                #expect(reply.status == 503 && reply["ret_code"] == 5000, "\(reply.text)")
            }
        }
    }

    /// One deadline for the whole call: a slow backend is not asked again once it ran out.
    @Test func aSlowBackendGetsOneAttemptWithinTheDeadline() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let calls = IdempotencyTests.Counter()
        let slow = Router()
        slow.post("/ims/v1/execute") { _, _ -> String in
            _ = calls.next()
            try await Task.sleep(for: .seconds(3))
            return "{}"
        }
        try await Application(router: slow).test(.live) { slowClient in
            var front = gateway.frontConfig(backendPort: slowClient.port ?? 0)
            front.backendInUse.requestTimeoutMs = 300
            front.backendInUse.retries = 2
            let app = try buildApplication(front, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
            try await app.test(.router) { raw in
                let reply = try await GatewayClient(client: raw).send(.get, "/v2/zone/ac1/images")
                #expect(reply.status == 503 && reply["ret_code"] == 5000, "\(reply.text)")
                Self.expectNothingInternal(reply)
                #expect(calls.count == 1)
            }
        }
    }

    /// A backend answering something that is not the canonical API is the dialects' 503.
    @Test func aGarbledAnswerIsEachDialectsUnavailable() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let garbled = Router()
        garbled.post("/ims/v1/execute") { _, _ -> String in "<html>502 Bad Gateway</html>" }
        try await Application(router: garbled).test(.live) { garbledClient in
            var front = gateway.frontConfig(backendPort: garbledClient.port ?? 0)
            front.backendInUse.requestTimeoutMs = 1000
            let app = try buildApplication(front, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
            try await app.test(.router) { raw in
                let client = GatewayClient(client: raw)
                let foreman = try await client.send(.get, "/api/compute_resources/1/images")
                let ht = try await client.send(.get, "/v1/openstack/image/application/list")
                #expect(foreman.status == 503 && ht.status == 503, "\(foreman.text) \(ht.text)")
                for reply in [foreman, ht] { Self.expectNothingInternal(reply) }
            }
        }
    }

    /// After many refused connections the first request once the backend listens again is
    /// served: the HTTP client's pool does not wait out a connect backoff grown while it was down.
    @Test func theFirstRequestAfterTheBackendReturnsIsServed() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let port = try Self.freePort()
        var front = gateway.frontConfig(backendPort: port)
        front.backendInUse.requestTimeoutMs = 1000
        let frontApp = try buildApplication(front, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
        gateway.config.listen.port = port
        let back = try buildApplication(gateway.config, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
        try await frontApp.test(.router) { raw in
            let client = GatewayClient(client: raw)
            for _ in 0..<25 { #expect(try await client.send(.get, "/v2/zone/ac1/images").status == 503) }
            let services = ServiceGroup(configuration: .init(services: [back], logger: TestGateway.quietLogger))
            let running = Task { try await services.run() }
            var listening = false
            for _ in 0..<500 where !listening {
                listening = (try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"),
                                                                    timeout: .milliseconds(200)))?.status == .ok
                if !listening { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(listening, "the backend did not come up")
            let first = try await client.send(.get, "/v2/zone/ac1/images")
            #expect(first.status == 200, "\(first.text)")
            await services.triggerGracefulShutdown()
            try await running.value
        }
    }
}
