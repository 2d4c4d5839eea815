import Foundation
@testable import GatewayHTTP
@testable import IMSModel
import Testing

/// A full disk under the files directory: the upload is refused in the dialect's words, nothing
/// of it stays on disk, the store is unchanged, and the gateway goes on serving (and says why it
/// is not ready while the disk is full). Needs root for a small tmpfs (as CI has here).
@Suite(.enabled(if: getuid() == 0, "mounts a tmpfs: needs root"))
struct DiskFullTests {
    static let region = ["x-regionid": "r0", "Authorization": "Bearer cec-demo-token"]

    @Test func anUploadThatFillsTheDiskIsRefusedAndLeavesNothing() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let files = gateway.directory.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        #expect(Self.shell("mount -t tmpfs -o size=1m tmpfs '\(files.path)'") == 0)
        defer { _ = Self.shell("umount -l '\(files.path)'") }
        // The bundled lane: the files directory is this gateway's own (a front would report its backend only as not ready).
        try await gateway.run(.live, lane: .bundled) { client in
            let imageId = try await CecstackFilesTests.createImage(client, CecstackFilesTests().seeds)
            let size = 2 << 20
            let prepared = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-prepare", headers: Self.region,
                                                 body: .json(["size": .int(Int64(size))]))
            let url = try #require(lookup(prepared.json!, "data.image_url")?.stringValue, "\(prepared.text)")
            let path = String(url[url.range(of: "/ims/v1/uploads/")!.lowerBound...])
            let put = try await client.send(.put, path, body: .raw(String(repeating: "x", count: size), contentType: "application/octet-stream"))
            #expect(put.status == 503 && put.text.contains("no space left"), "\(put.text)")
            // Nothing of it on disk, the image as it was, waiting for another upload.
            #expect(try FileManager.default.contentsOfDirectory(atPath: files.path) == [])
            let image = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region)
            #expect(image.status == 200 && lookup(image.json!, "data.status") == "queued" && lookup(image.json!, "data.size") == 0,
                    "\(image.text)")
            // Not ready while it lasts, and saying why; still serving.
            let ready = try await client.send(.get, "/readyz")
            #expect(ready.status == 503 && ready.text.contains("no space left for image files"), "\(ready.text)")
            let other = try await CecstackFilesTests.createImage(client, CecstackFilesTests().seeds)
            #expect(other.hasPrefix("img-"))
            // Room again (the upload prepared anew, smaller): the upload goes through and readiness returns.
            let again = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-prepare", headers: Self.region,
                                              body: .json(["size": 10]))
            let url2 = try #require(lookup(again.json!, "data.image_url")?.stringValue, "\(again.text)")
            let path2 = String(url2[url2.range(of: "/ims/v1/uploads/")!.lowerBound...])
            #expect(try await client.send(.put, path2, body: .raw("0123456789")).status == 200)
            #expect(try await client.send(.get, "/readyz").status == 200)
        }
    }

    static func shell(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try? process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
