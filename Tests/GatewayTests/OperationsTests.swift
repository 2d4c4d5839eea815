import AsyncHTTPClient
import Dialects
import Foundation
@testable import GatewayHTTP
import Hummingbird
import HummingbirdTesting
@testable import IMSModel
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

/// What operators use: config check, reload, health, metrics, OpenAPI, explain, graceful shutdown.
@Suite struct OperationsTests {
    /// A copy of Config/ in a temporary folder, to edit and reload.
    static func configCopy() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestGateway.repoRoot.appendingPathComponent("Config"), to: dir)
        return dir
    }

    @Test func configCheckPassesTheShippedConfigAndNamesFileAndLineOfEachProblem() throws {
        #expect(ConfigCheck.run(path: TestGateway.repoRoot.appendingPathComponent("Config/ims-gateway.yaml").path, compiled: Dialects.all).isEmpty)
        let dir = try Self.configCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let routes = dir.appendingPathComponent("routes/idc51.yaml").path
        try """
        dialect: idc51
        mounts: ["/v2/zone/{zone}", "bad/"]
        routes:
          - {method: GET, path: /images, operation: image.list}
          - {method: GET, path: /images, operation: image.get}
          - {method: GET, path: /jobs, operation: job.teleport}
        """.write(toFile: routes, atomically: true, encoding: .utf8)
        var main = try String(contentsOf: dir.appendingPathComponent("ims-gateway.yaml"), encoding: .utf8)
        main = main.replacingOccurrences(of: "credentials: credentials.yaml", with: "credentials: missing.yaml")
        try main.write(to: dir.appendingPathComponent("ims-gateway.yaml"), atomically: true, encoding: .utf8)

        let problems = ConfigCheck.run(path: dir.appendingPathComponent("ims-gateway.yaml").path, compiled: Dialects.all).map(\.description)
        #expect(problems.contains { $0.hasSuffix("routes/idc51.yaml:2: bad mount 'bad/': must start with / and not end with /") })
        #expect(problems.contains { $0.contains("routes/idc51.yaml:5: GET /v2/zone/{zone}/images conflicts with GET /v2/zone/{zone}/images at") })
        #expect(problems.contains { $0.hasSuffix("routes/idc51.yaml:6: unknown operation 'job.teleport'") })
        #expect(problems.contains { $0.contains("ims-gateway.yaml:") && $0.contains("missing.yaml does not exist") })
        #expect(problems.count == 4, "\(problems)")
    }

    @Test func reloadUnderARequestLoopLosesNoRequestAndABrokenConfigKeepsTheOldOne() async throws {
        let dir = try Self.configCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let path = dir.appendingPathComponent("ims-gateway.yaml").path
        var config = try GatewayConfig.load(path: path)
        config.backendInUse.path = gateway.dataPath
        gateway.config = config
        let parts = GatewayParts(dialects: Dialects.all)
        let live = try makeLiveConfig(config, parts: parts, configPath: path)
        let app = try buildApplication(config, parts: parts, logger: TestGateway.quietLogger, live: live)
        let foremanRoutes = dir.appendingPathComponent("routes/foreman.yaml").path
        let original = try String(contentsOfFile: foremanRoutes, encoding: .utf8)
        let withV9 = original.replacingOccurrences(of: "mounts: [/api, /api/v2]", with: "mounts: [/api, /api/v2, /api/v9]")

        try await app.test(.live) { raw in
            let client = GatewayClient(client: raw)
            #expect(try await client.send(.get, "/api/v9/compute_resources/1/images").status == 404)
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var seen: [Int] = []
                        for _ in 0..<50 { seen.append(try await client.send(.get, "/api/compute_resources/1/images").status) }
                        return seen
                    }
                }
                group.addTask {
                    for round in 0..<20 {
                        try (round.isMultiple(of: 2) ? withV9 : original).write(toFile: foremanRoutes, atomically: true, encoding: .utf8)
                        try live.reload()
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    return []
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses.filter { $0 != 200 })")

            try withV9.write(toFile: foremanRoutes, atomically: true, encoding: .utf8)
            try live.reload()
            #expect(try await client.send(.get, "/api/v9/compute_resources/1/images").status == 200)

            try "dialect: foreman\nroutes:\n  - {method: GET, path: /x, operation: image.nothing}\n"
                .write(toFile: foremanRoutes, atomically: true, encoding: .utf8)
            #expect(throws: (any Error).self) { try live.reload() }
            #expect(try await client.send(.get, "/api/v9/compute_resources/1/images").status == 200)

            // A reload that drops a credential refuses it at once, though the cache remembered it.
            try original.write(toFile: foremanRoutes, atomically: true, encoding: .utf8)
            let credentials = dir.appendingPathComponent("credentials.yaml").path
            let kept = try String(contentsOfFile: credentials, encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("dialect: foreman") }
            try kept.joined(separator: "\n").write(toFile: credentials, atomically: true, encoding: .utf8)
            try live.reload()
            #expect(try await client.send(.get, "/api/compute_resources/1/images").status == 401)
        }
    }

    @Test func healthReadinessMetricsAndOpenAPI() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            #expect(try await client.send(.get, "/healthz").text == "ok\n")
            let ready = try await client.send(.get, "/readyz")
            #expect(ready.status == 200 && ready.text == "ready\n")
            _ = try await client.send(.get, "/api/compute_resources/1/images")
            _ = try await client.send(.get, "/api/compute_resources/1/images")
            _ = try await client.send(.get, "/api/compute_resources/1/images/404")
            let metrics = try await client.send(.get, "/metrics").text
            #expect(metrics.contains(#"ims_gateway_requests_total{dialect="foreman",operation="image.list",status="200"} 2"#))
            #expect(metrics.contains(#"ims_gateway_requests_total{dialect="foreman",operation="image.get",status="404"} 1"#))
            #expect(metrics.contains(#"ims_gateway_request_duration_seconds_bucket{dialect="foreman",operation="image.list",status="200",le="+Inf"} 2"#))
            #expect(metrics.contains("ims_gateway_backend_duration_seconds_count"))
            #expect(metrics.contains("ims_gateway_credential_cache_hits_total"))
            for dialect in Dialects.all.map(\.id) {
                let doc = try await client.send(.get, "/openapi/\(dialect.rawValue).json")
                #expect(doc["openapi"] == "3.1.0")
                #expect(doc["paths"]?.objectValue?.isEmpty == false)
            }
            #expect(try await client.send(.get, "/openapi/nothing.json").status == 404)
        }
    }

    @Test func readinessFailsWhileTheRemoteBackendIsDown() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await RemoteBackendTests.withRefusingPort { port in
            var front = gateway.frontConfig(backendPort: port)
            front.backendInUse.connectTimeoutMs = 200
            let app = try buildApplication(front, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
            try await app.test(.router) { raw in
                let reply = try await GatewayClient(client: raw).send(.get, "/readyz")
                #expect(reply.status == 503 && reply.text.hasPrefix("not ready: backend"), "\(reply.status) \(reply.text)")
            }
        }
    }

    /// Each seed request's canonical operation, as `ims-gateway explain` prints it.
    static let expected: [String: String] = [
        "htaiyun/create-image-application": "application.create", "htaiyun/get-image-application": "application.get",
        "htaiyun/delete-image-application": "application.delete", "htaiyun/list-image-applications": "application.list",
        "htaiyun/update-image-application": "application.update", "htaiyun/create-application-instance": "instance.create",
        "htaiyun/update-application-instance": "instance.update", "htaiyun/delete-application-instance": "instance.delete",
        "htaiyun/batch-delete-application-instances": "instance.batchDelete", "htaiyun/add-instance-user": "instance.addMember",
        "htaiyun/delete-instance-user": "instance.removeMember", "htaiyun/batch-add-instance-users": "instance.addMembers",
        "htaiyun/batch-delete-instance-users": "instance.removeMembers", "htaiyun/list-instance-users": "instance.listMembers",
        "htaiyun/get-application-instance": "instance.get", "htaiyun/list-application-instances": "instance.list",
        "htaiyun/error-name-used": "instance.create",
        "idc51/capture-image": "image.capture", "idc51/delete-images": "image.batchDelete", "idc51/modify-image": "image.update",
        "idc51/list-images": "image.list", "idc51/get-job": "job.get",
        "foreman/create-image-json": "image.create", "foreman/create-image-form": "image.create", "foreman/list-images": "image.list",
        "foreman/show-image-under-os": "image.get", "foreman/update-image": "image.update", "foreman/delete-image": "image.delete",
        "foreman/not-found": "image.get", "foreman/validation-error": "image.create",
        "cecstack/list-public-images": "image.list", "cecstack/get-image": "image.get", "cecstack/update-private-image": "image.update",
        "cecstack/create-private-image": "image.create", "cecstack/upload-prepare": "image.prepareUpload",
        "cecstack/upload-done": "image.finishUpload", "cecstack/list-private-images": "image.list",
        "cecstack/download-file": "image.download", "cecstack/delete-private-image": "image.delete", "cecstack/share": "image.share",
        "cecstack/list-shares": "image.listShares", "cecstack/unshare": "image.unshare", "cecstack/list-shared-images": "share.listReceived",
        "cecstack/delete-shared-image": "share.delete", "cecstack/import-image": "image.import",
        "cecstack/oss-bucket-list": "storage.listBuckets", "cecstack/export-image": "image.export",
        "cecstack/copy-shared-image": "share.copy",
    ]

    @Test func explainShowsEachSeedRequestsCanonicalOperation() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let explainer = Explainer(config: gateway.config, dialects: Dialects.all)
        var checked = 0
        for dialect in ["htaiyun", "idc51", "foreman", "cecstack"] {
            for (name, seed) in try SeedCase.load(dialect) {
                let query = seed.query.map { "\(GatewayClient.escape($0.0))=\(GatewayClient.escape($0.1))" }.joined(separator: "&")
                var body: String?
                switch seed.body {
                case .json(let value): body = value.serialized
                case .form(let pairs): body = pairs.map { "\(GatewayClient.escape($0.0))=\(GatewayClient.escape($0.1))" }.joined(separator: "&")
                case .raw(let text, _): body = text
                case .none: body = nil
                }
                let headers = seed.headers.merging(GatewayClient.demoCredentials(for: seed.path)) { a, _ in a }
                let outcome = try await explainer.explain(method: seed.method.rawValue, path: seed.path + (query.isEmpty ? "" : "?" + query),
                                                          headers: headers.map { ($0.key, $0.value) }, body: body)
                let want = try #require(Self.expected["\(dialect)/\(name)"], "no expectation for \(dialect)/\(name)")
                #expect(outcome.text.contains("operation: \(want)"), "\(dialect)/\(name):\n\(outcome.text)")
                if name != "validation-error" { #expect(outcome.command != nil, "\(dialect)/\(name):\n\(outcome.text)") }
                checked += 1
            }
        }
        #expect(checked == Self.expected.count)
    }

    @Test func gracefulShutdownLetsAnInFlightUploadFinish() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let port = try RemoteBackendTests.freePort()
        gateway.config.listen.port = port
        let app = try buildApplication(gateway.config, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
        let services = ServiceGroup(configuration: .init(services: [app], logger: TestGateway.quietLogger))
        let running = Task { try await services.run() }
        let base = "http://127.0.0.1:\(port)"
        let cec = ["x-regionid": "r0", "Authorization": "Bearer cec-demo-token", "Content-Type": "application/json"]
        func call(_ method: HTTPMethod, _ path: String, _ body: String?) async throws -> (Int, JSONValue?) {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            for (k, v) in cec { request.headers.add(name: k, value: v) }
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            // A guard against a hang, not a measure: the PostgreSQL lane runs every suite at once.
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            return (Int(response.status.code), JSONValue.parse(Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)))
        }
        var up = false
        for _ in 0..<200 where !up {
            up = (try? await call(.GET, "/healthz", nil))?.0 == 200
            if !up { try await Task.sleep(for: .milliseconds(10)) }
        }
        let created = try await call(.POST, "/api/image/v1/private-images", JSONValue.object(BadInputTests.cecCreate).serialized)
        let imageId = try #require(created.1.flatMap { lookup($0, "data.imageId") }?.stringValue)
        let chunk = String(repeating: "x", count: 64 * 1024)
        let prepared = try await call(.POST, "/api/image/v1/private-images/\(imageId)/upload-prepare", #"{"size": \#(chunk.count * 20)}"#)
        let url = try #require(prepared.1.flatMap { lookup($0, "data.image_url") }?.stringValue)

        // A slow client: 20 chunks, 50 ms apart; shutdown is asked for after the third.
        let (stream, feed) = AsyncStream.makeStream(of: ByteBuffer.self)
        var upload = HTTPClientRequest(url: url)
        upload.method = .PUT
        upload.body = .stream(stream, length: .known(Int64(chunk.count * 20)))
        let answer = Task { try await HTTPClient.shared.execute(upload, timeout: .seconds(30)) }
        for i in 0..<20 {
            feed.yield(ByteBuffer(string: chunk))
            if i == 2 { await services.triggerGracefulShutdown() }
            try await Task.sleep(for: .milliseconds(50))
        }
        feed.finish()
        let response = try await answer.value
        #expect(response.status == .ok)
        try await running.value

        // After a restart (on whichever store the lane runs) the bytes are all there.
        let uploadId = try #require(prepared.1.flatMap { lookup($0, "data.uploadId") })
        gateway.config.listen.port = 0
        try await gateway.run(lane: gateway.config.backendInUse.kind == .postgres ? .postgres : .bundled) { client in
            let done = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-done", headers: ["x-regionid": "r0"],
                                             body: .json(["result": "success", "uploadId": uploadId]))
            #expect(done["code"] == "Success", "\(done.text)")
            let image = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: ["x-regionid": "r0"])
            #expect(image.json.flatMap { lookup($0, "data.size") } == .int(Int64(chunk.count * 20)), "\(image.text)")
            #expect(image.json.flatMap { lookup($0, "data.status") } == "active", "\(image.text)")
        }
    }
}
