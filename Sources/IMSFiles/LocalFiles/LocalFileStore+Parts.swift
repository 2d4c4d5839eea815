import Crypto
import Foundation
import IMSModel
import IMSService
import NIOCore
import NIOFileSystem
import NIOPosix

/// Multipart uploads' parts, each a file under `<imageId>.parts/<uploadId>/`, and ranged reads.
extension LocalFileStore {
    func partsFolder(_ imageId: String) -> FilePath { FilePath(root).appending("\(imageId).parts") }

    func partPath(_ imageId: String, uploadId: String, number: Int) -> FilePath {
        partsFolder(imageId).appending(uploadId).appending(String(number))
    }

    package func storePart<S: AsyncSequence>(_ body: S, imageId: String, uploadId: String, number: Int, limit: Int64) async throws -> Measured
        where S.Element == ByteBuffer
    {
        let folder = partsFolder(imageId).appending(uploadId)
        try await FileSystem.shared.createDirectory(at: folder, withIntermediateDirectories: true)
        return try await store(body, at: partPath(imageId, uploadId: uploadId, number: number), limit: limit)
    }

    /// Joins the parts, in the order given, into the image's file, measuring size and MD5 on
    /// the way. Each part is removed once it is appended, so the disk holds the object and at
    /// most one part beside it, never the object twice.
    package func assemble(_ imageId: String, uploadId: String, numbers: [Int]) async throws -> Measured {
        try await write(path(imageId)) { write in
            for number in numbers {
                let part = partPath(imageId, uploadId: uploadId, number: number)
                try await FileSystem.shared.withFileHandle(forReadingAt: part) { source in
                    for try await chunk in source.readChunks(chunkLength: .kibibytes(256)) { try await write(chunk) }
                }
                _ = try? await FileSystem.shared.removeItem(at: part)
            }
        }
    }

    /// Removes one part's bytes.
    package func removePart(_ imageId: String, uploadId: String, number: Int) async {
        _ = try? await FileSystem.shared.removeItem(at: partPath(imageId, uploadId: uploadId, number: number))
    }

    /// Removes a multipart upload's parts, or (`uploadId` nil) every upload's of the image.
    package func removeParts(_ imageId: String, uploadId: String? = nil) async {
        let folder = uploadId.map { partsFolder(imageId).appending($0) } ?? partsFolder(imageId)
        _ = try? await FileSystem.shared.removeItem(at: folder, recursively: true)
    }

    /// Streams bytes `range` (inclusive) of the image's file, or all of it.
    package func read(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws {
        guard let range else { return try await read(imageId, emit) }
        try await FileSystem.shared.withFileHandle(forReadingAt: path(imageId)) { handle in
            for try await chunk in handle.readChunks(in: range.lowerBound..<(range.upperBound + 1), chunkLength: .kibibytes(256)) {
                try await emit(chunk)
            }
        }
    }
}
