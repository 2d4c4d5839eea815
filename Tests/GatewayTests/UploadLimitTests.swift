import Foundation
import GatewayHTTP
import Testing

/// Issue 12, item 3: an upload never grows past the size its client prepared.
@Suite struct UploadLimitTests {
    static let region = CecstackFilesTests.region

    @Test func aPutLargerThanThePreparedSizeIsRefusedAndNothingIsKept() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = try SeedCase.load("cecstack")
        let files = URL(fileURLWithPath: gateway.dataPath).deletingLastPathComponent().appendingPathComponent("files")
        try await gateway.run(.live) { client in
            let imageId = try await CecstackFilesTests.createImage(client, seeds)
            let prepared = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-prepare",
                                                 headers: Self.region, body: .json(["size": 5]))
            let url = try #require(lookup(prepared.json!, "data.image_url")?.stringValue)
            let path = String(url[try #require(url.range(of: "/ims/v1/uploads/")).lowerBound...])

            let oversize = String(repeating: "x", count: 3 << 20)
            let put = try await client.send(.put, path, body: .raw(oversize, contentType: "application/octet-stream"))
            #expect(put.status == 413)
            #expect(!put.text.contains("TooLarge"), "\(put.text)")
            let kept = try FileManager.default.contentsOfDirectory(atPath: files.path)
            #expect(kept.isEmpty, "left on disk: \(kept)")

            let done = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-done", headers: Self.region,
                                             body: .json(["result": "success", "uploadId": lookup(prepared.json!, "data.uploadId")!]))
            #expect(done["code"] == "IMG.OperationFailed.UploadError")
            let image = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region)
            #expect(lookup(image.json!, "data.status") == "queued")

            // The same ticket still takes the prepared bytes.
            #expect(try await client.send(.put, path, body: .raw("12345")).status == 200)
            let ok = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-done", headers: Self.region,
                                           body: .json(["result": "success", "uploadId": lookup(prepared.json!, "data.uploadId")!]))
            #expect(ok["code"] == "Success")
        }
    }
}
