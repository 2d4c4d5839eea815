import Foundation
import Hummingbird
import HummingbirdTesting
@testable import IMSModel
@testable import IMSService
import Testing

/// The gateway fetches only from hosts the config allows: an import naming loopback or an
/// internal service is refused before anything is stored, and a redirect is checked like the URL.
@Suite struct ImportPolicyTests {
    @Test(arguments: [
        ("http://images.example.com/a.qcow2", true),
        ("https://IMAGES.example.com/a.qcow2", true),
        ("http://cdn.mirror.example.org:8080/a", true),
        ("http://mirror.example.org/a", false),
        ("http://10.0.0.5:8000/a", true),
        ("http://10.0.0.5:8001/a", false),
        ("http://127.0.0.1:8080/metrics", false),
        ("http://localhost/a", false),
        ("http://[::1]/a", false),
        ("file:///etc/passwd", false),
        ("gopher://images.example.com/a", false),
        ("http://user:pw@images.example.com/a", false),
        ("not a url", false),
    ])
    func hostsAreAllowedOnlyByTheConfig(_ url: String, _ allowed: Bool) {
        let policy = ImportPolicy(allowedHosts: ["images.example.com", "*.mirror.example.org", "10.0.0.5:8000"])
        let verdict = (try? policy.check(url).get()) != nil
        #expect(verdict == allowed, "\(url)")
    }

    @Test func aLoopbackImportIsRefusedAndNothingIsStored() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let before = try await client.send(.get, "/api/image/v1/private-images", query: [("current", "1"), ("size", "100")],
                                               headers: ["x-regionid": "r0"])
            let refused = try await client.send(.post, "/api/image/v1/private-images/import", headers: ["x-regionid": "r0"],
                                                body: .json(Self.importBody("http://127.0.0.1:8080/metrics")))
            #expect(refused.status == 400)
            #expect(refused["code"] == "IMG.InvalidParameter")
            #expect(refused.text.contains("does not import from (127.0.0.1)"), "\(refused.text)")
            let after = try await client.send(.get, "/api/image/v1/private-images", query: [("current", "1"), ("size", "100")],
                                              headers: ["x-regionid": "r0"])
            #expect(lookup(before.json!, "data") == lookup(after.json!, "data"), "an image was stored")
        }
    }

    @Test func aRedirectToAHostNotAllowedKillsTheImport() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let secret = Router()
        secret.get("/secret") { _, _ in "internal secret" }
        try await Application(router: secret).test(.live) { secretClient in
            let secretPort = try #require(secretClient.port)
            let origin = Router()
            origin.get("/image.qcow2") { _, _ in
                Response(status: .found, headers: [.location: "http://127.0.0.1:\(secretPort)/secret"])
            }
            try await Application(router: origin).test(.live) { originClient in
                let originPort = try #require(originClient.port)
                var importing = gateway
                importing.config.imports.allowedHosts = ["127.0.0.1:\(originPort)"]
                try await importing.run { client in
                    let (imageId, done) = try await Self.importToTheEnd(client, "http://127.0.0.1:\(originPort)/image.qcow2")
                    #expect(lookup(done, "data.status") == "killed")
                    #expect(lookup(done, "data.errMessage")?.stringValue?.contains("does not import from") == true, "\(done)")
                    let download = try await client.send(.get, "/api/image/v1/private-images/\(imageId)/file", headers: ["x-regionid": "r0"])
                    #expect(!download.text.contains("internal secret"))
                }
            }
        }
    }

    @Test func anImportThatCannotConnectSaysSoWithoutTheClientsErrorText() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        // A port nothing listens on: an origin that went away between its start and its stop.
        let closedPort = try await Application(router: Router()).test(.live) { client in try #require(client.port) }
        gateway.config.imports.allowedHosts = ["127.0.0.1:\(closedPort)"]
        try await gateway.run { client in
            let (_, done) = try await Self.importToTheEnd(client, "http://127.0.0.1:\(closedPort)/image.qcow2")
            #expect(lookup(done, "data.status") == "killed")
            let message = try #require(lookup(done, "data.errMessage")?.stringValue)
            #expect(message.hasPrefix("ImportImage failed (job "), "\(message)")
            #expect(!message.contains("Error") && !message.contains("127.0.0.1"), "\(message)")
        }
    }

    /// Imports `url` and waits until the image is active or killed: its id and last answer.
    static func importToTheEnd(_ client: GatewayClient, _ url: String) async throws -> (String, JSONValue) {
        let accepted = try await client.send(.post, "/api/image/v1/private-images/import", headers: ["x-regionid": "r0"],
                                             body: .json(importBody(url)))
        let answer = try #require(accepted.json, "\(accepted.text)")
        let imageId = try #require(lookup(answer, "data.imageId")?.stringValue, "\(accepted.text)")
        return (imageId, try await client.cecImage(imageId, until: ["active", "killed"]))
    }

    static func importBody(_ url: String) -> JSONValue {
        ["imageUrl": .string(url), "name": "imported", "diskFormat": "qcow2", "osType": "linux", "platform": "CentOS",
         "cpuArch": "x86", "minDisk": 10, "minRam": 512, "imageType": "os_image", "instruction": "64-bits", "usage": "ecs",
         "departmentId": "d", "tenantId": "t", "visibility": "private", "imageSource": 1]
    }
}
