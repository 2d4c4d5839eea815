import Dialects
import Foundation
@testable import GatewayHTTP
@testable import IMSModel
@testable import IMSService
import Testing

/// The canonical API as another gateway (or anyone holding a service token) sees it: client
/// errors in canonical kinds with 4xx, no job work from the wire, tokens limited to their scope.
@Suite struct CanonicalAPITests {
    static let operatorIdentity = Identity(user: "1", tenant: "default", isOperator: true)

    static func execute(_ client: GatewayClient, _ command: JSONValue, as identity: Identity = operatorIdentity,
                        token: String = "gateway-demo-token", headers: [String: String] = [:]) async throws -> Reply {
        var headers = headers
        headers["Authorization"] = "Bearer \(token)"
        headers["X-IMS-Identity"] = try JSONValueEncoder().encode(identity).serialized
        return try await client.send(.post, "/ims/v1/execute", headers: headers, body: .json(["command": command]))
    }

    static func wire(_ command: Command) throws -> JSONValue { try JSONValueEncoder().encode(command) }

    @Test(arguments: [
        #"{"fetchImport":{"imageId":"img-aaaaaaaa","url":"http://127.0.0.1:1/metrics"}}"#,
        #"{"finishCapture":{"imageId":"img-aaaaaaaa"}}"#,
        #"{"copyImageFile":{"from":"img-aaaaaaaa","to":"img-bbbbbbbb"}}"#,
        #"{"writeExport":{"imageId":"img-aaaaaaaa","bucket":"b"}}"#,
    ])
    func jobWorkIsNoCommandTheWireAccepts(_ work: String) async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run(lane: .bundled) { client in
            let reply = try await Self.execute(client, try #require(JSONValue.parse(Array(work.utf8))))
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply["error"]?["malformedBody"] != nil, "\(reply.text)")
            #expect(!reply.text.contains("runs only inside a job") && !reply.text.contains("imageId:"), "\(reply.text)")
        }
    }

    @Test func clientErrorsAreTheirCanonicalKindNeverADescription() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run(lane: .bundled) { client in
            let missing = try await Self.execute(client, try Self.wire(.getImage(ImageSelector(ref: "img-zzzzzzzz"))))
            #expect(missing.status == 404 && missing["error"]?["notFound"] != nil, "\(missing.text)")
            let nested = try await Self.execute(client, try Self.wire(.asJob(JobSpec(action: "x", zone: "z", requestId: "r"),
                                                                              .asJob(JobSpec(action: "y", zone: "z", requestId: "r"), .getJob("j")))))
            #expect(nested.status == 400 && nested["error"]?["invalidParameter"] != nil, "\(nested.text)")
            let garbage = try await client.send(.post, "/ims/v1/execute", headers: [
                "Authorization": "Bearer gateway-demo-token",
                "X-IMS-Identity": try JSONValueEncoder().encode(Self.operatorIdentity).serialized,
            ], body: .raw("{not json", contentType: "application/json"))
            #expect(garbage.status == 400 && garbage["error"]?["malformedBody"] != nil, "\(garbage.text)")
            let tooLarge = try await client.send(.post, "/ims/v1/execute", headers: [
                "Authorization": "Bearer gateway-demo-token",
                "X-IMS-Identity": try JSONValueEncoder().encode(Self.operatorIdentity).serialized,
            ], body: .raw(String(repeating: " ", count: CanonicalAPI.maxBody + 1), contentType: "application/json"))
            #expect(tooLarge.status == 413 && tooLarge["error"]?["tooLarge"] != nil && !tooLarge.text.contains("NIO"), "\(tooLarge.text)")
        }
    }

    @Test func aServiceTokenActsOnlyForTheTenantsItIsScopedTo() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        gateway.config.canonicalApi.tokens = [ServiceToken(sha256: Secrets.sha256Hex("tenant-a-token"), tenants: ["a"])]
        try await gateway.run(lane: .bundled) { client in
            let list = try Self.wire(.listImages(ImageQuery()))
            let own = try await Self.execute(client, list, as: Identity(user: "u", tenant: "a"), token: "tenant-a-token")
            #expect(own.status == 200, "\(own.text)")
            let other = try await Self.execute(client, list, as: Identity(user: "u", tenant: "b"), token: "tenant-a-token")
            #expect(other.status == 403 && other["error"]?["forbidden"] != nil, "\(other.text)")
            let asOperator = try await Self.execute(client, list, as: Identity(user: "u", tenant: "a", isOperator: true), token: "tenant-a-token")
            #expect(asOperator.status == 403, "\(asOperator.text)")
            // The demo token is no longer accepted here: only the configured ones are.
            let unknown = try await Self.execute(client, list)
            #expect(unknown.status == 401, "\(unknown.text)")
        }
    }

    @Test func theFormerUnscopedTokenListIsRefusedAtLoad() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ims-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("ims-gateway.yaml").path
        try "canonical_api:\n  tokensSha256: [a179722b39ae9b6e2a02495468098ec0a63cf83bda35772455e2a8606d2fdd9e]\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try GatewayConfig.load(path: file) }
        #expect(ConfigCheck.run(path: file, compiled: Dialects.all).contains { $0.message.contains("canonical_api.tokens") })
    }
}
