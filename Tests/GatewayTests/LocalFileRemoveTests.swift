import Foundation
@testable import IMSFiles
import NIOCore
import Testing

/// A deletion's files go, by either way `remove` finds them: a lookup per name (a few images),
/// or the folder's names read once (a large batch).
@Suite struct LocalFileRemoveTests {
    @Test(arguments: [3, 40])
    func removesTheDeletedImagesFilesAndPartsAndNothingElse(batch: Int) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ims-remove-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = try LocalFileStore(root: root, exportRoot: root + "/exports")
        let deleted = (0..<batch).map { "img-d\($0)" }
        // Bytes for some deleted images, a multipart upload's parts for one, and a kept image's bytes.
        for imageId in [deleted[0], deleted[batch - 1], "img-kept"] {
            let body = AsyncStream<ByteBuffer> { $0.yield(ByteBuffer(string: "bytes of \(imageId)")); $0.finish() }
            _ = try await files.store(body, as: imageId)
        }
        try FileManager.default.createDirectory(atPath: root + "/\(deleted[1]).parts", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/\(deleted[1]).parts/1", contents: Data("part".utf8))

        await files.remove(deleted)

        let left = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0 != "exports" }
        #expect(left == ["img-kept"])
    }
}
