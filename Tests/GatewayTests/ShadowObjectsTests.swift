import Foundation
@testable import GatewayHTTP
@testable import IMSModel
@testable import IMSService
import Testing

/// CECSTACK uploads through the S3 endpoint under a shadow (`ShadowObjects`): a single PUT and
/// a multipart upload (with an aborted one beside it) reach both bundled stores with the same
/// bytes, and every step compares equal in the report.
@Suite(.sqliteStoreOnly) struct ShadowObjectsTests {
    @Test func s3UploadsUnderAShadowReachBothStoresWithTheSameBytes() async throws {
        let (dir, path) = try ShadowTests.config(ShadowTests.bundledPair)
        defer { try? FileManager.default.removeItem(at: dir) }
        let record = dir.appendingPathComponent("shadow.sqlite").path
        let config = try GatewayConfig.load(path: path)
        let (single, multi, bytes) = try await withReloadable(config, path: path) { client, _ in
            // One PUT, larger than one chunk of the request body.
            let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let (single, prepared) = try await S3EndpointTests.prepared(client, size: bytes.count)
            let s3 = try S3Signer(prepared)
            #expect(try await s3.send(client, .put, "/uploads/\(single)", body: bytes).status == 200)
            #expect(try await S3EndpointTests.done(client, single, uploadId: lookup(prepared, "data.uploadId")?.stringValue)["code"] == "Success")

            // A multipart upload of two parts, and one aborted.
            let first = [UInt8](repeating: 1, count: 70_000), second = [UInt8](repeating: 2, count: 30_000)
            let (multi, preparedMulti) = try await S3EndpointTests.prepared(client, size: first.count + second.count)
            let s3m = try S3Signer(preparedMulti)
            let path = "/uploads/\(multi)"
            func open() async throws -> String {
                let created = try await s3m.send(client, .post, path, query: "uploads=")
                return try #require(created.text.components(separatedBy: "<UploadId>").last?.components(separatedBy: "<").first)
            }
            let aborted = try await open()
            #expect(try await s3m.send(client, .put, path, query: "partNumber=1&uploadId=\(aborted)", body: second).status == 200)
            #expect(try await s3m.send(client, .delete, path, query: "uploadId=\(aborted)").status == 204)
            let uploadId = try await open()
            let one = try await s3m.send(client, .put, path, query: "partNumber=1&uploadId=\(uploadId)", body: first)
            let two = try await s3m.send(client, .put, path, query: "partNumber=2&uploadId=\(uploadId)", body: second)
            let parts = [one, two].enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\($0.element.headers[.eTag] ?? "")</ETag></Part>" }
            let completed = try await s3m.send(client, .post, path, query: "uploadId=\(uploadId)",
                                               body: Array("<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>".utf8))
            #expect(completed.status == 200, "\(completed.text)")
            #expect(try await S3EndpointTests.done(client, multi, uploadId: uploadId)["code"] == "Success")
            return (single, multi, (single: bytes, multi: first + second))
        }

        // Every step compared, none differing (the last upload-done is the queue's last mirror).
        let report = try await ShadowTests.report(record) { ShadowTests.row($0, "image.finishUpload").compared == 2 }
        for (operation, times) in [("s3.putObject", 1), ("s3.createMultipartUpload", 2), ("s3.uploadPart", 3),
                                   ("s3.abortMultipartUpload", 1), ("s3.completeMultipartUpload", 1), ("image.finishUpload", 2)] {
            #expect(ShadowTests.row(report, operation) == ShadowReport.Row(operation: operation, compared: times), "\(operation): \(report.operations)")
        }
        #expect(report.examples.isEmpty, "\(report.examples)")

        // Both stores hold the bytes the client sent.
        for (imageId, sent) in [(single, bytes.single), (multi, bytes.multi)] {
            for side in ["old", "new"] {
                let stored = try Data(contentsOf: dir.appendingPathComponent("\(side)/files/\(imageId)"))
                #expect(stored.count == sent.count && md5Hex(Array(stored)) == md5Hex(sent), "\(imageId) in \(side)")
            }
        }
    }
}
