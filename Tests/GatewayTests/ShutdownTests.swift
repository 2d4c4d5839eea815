import Foundation
import GatewayHTTP
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Graceful shutdown does not wait for a job that moves bytes (an import may take hours): the
/// job is left `working`, not failed, and the next start works it again.
@Suite struct ShutdownTests {
    @Test(.timeLimit(.minutes(1)))
    func anImportInFlightIsLeftForTheNextStart() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        // An origin that sends the head and a first chunk, then nothing until the test ends.
        let (release, released) = AsyncStream.makeStream(of: Void.self)
        let origin = Router()
        origin.get("/stalled.qcow2") { _, _ in
            Response(status: .ok, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "first bytes"))
                for await _ in release {}
                try await writer.finish(nil)
            })
        }
        defer { released.finish() }
        try await Application(router: origin).test(.live) { originClient in
            let port = try #require(originClient.port)
            var importing = gateway
            importing.config.imports.allowedHosts = ["127.0.0.1:\(port)"]
            let imageId = try await importing.run(lane: .bundled) { client in
                let accepted = try await client.send(.post, "/api/image/v1/private-images/import", headers: ["x-regionid": "r0"],
                                                     body: .json(ImportPolicyTests.importBody("http://127.0.0.1:\(port)/stalled.qcow2")))
                let answer = try #require(accepted.json, "\(accepted.text)")
                return try #require(lookup(answer, "data.imageId")?.stringValue)
                // Leaving the closure shuts the gateway down while the import is stalled.
            }
            // A new start on the same data: the import was not failed; it is being worked again.
            try await importing.run(lane: .bundled) { client in
                let image = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: ["x-regionid": "r0"])
                #expect(lookup(image.json!, "data.status") == "saving", "\(image.text)")
                #expect(lookup(image.json!, "data.errMessage") ?? .null == .null || lookup(image.json!, "data.errMessage") == "")
            }
            released.finish()
        }
    }
}
