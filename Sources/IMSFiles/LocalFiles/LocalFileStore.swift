import AsyncHTTPClient
import Crypto
import Foundation
import IMSModel
import IMSService
import NIOConcurrencyHelpers
import NIOCore
import NIOFileSystem
import NIOPosix

/// Image bytes on disk, one file per image beside the database. Every path streams: bytes are
/// written as they arrive and read chunk by chunk, with size and MD5 measured on the way.
package struct LocalFileStore: FileStore {
    let root: String
    let exportRoot: String
    /// Set by a write that found the disk full, cleared by the next that completes: while set,
    /// the gateway is not ready (`/readyz` says why) though it goes on serving.
    private let full = NIOLockedValueBox(false)

    package typealias Measured = MeasuredBytes

    package init(root: String, exportRoot: String) throws {
        self.root = root
        self.exportRoot = exportRoot
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    package func path(_ imageId: String) -> FilePath { FilePath(root).appending(imageId) }

    /// Writes a stream of bytes as the image's file (to a `.part` file first, moved into place
    /// once complete, so a broken upload never leaves a half file under the image's name).
    /// Past `limit` bytes it stops reading and throws `FileTooLarge`, leaving nothing on disk: an
    /// upload may not grow beyond the size its client prepared.
    package func store<S: AsyncSequence>(_ body: S, as imageId: String, limit: Int64 = .max) async throws -> Measured
        where S.Element == ByteBuffer
    {
        try await store(body, at: path(imageId), limit: limit)
    }

    /// Where a file is written before it is moved into place: a name of its own per write, so
    /// two writers of one object (an SDK's retry while the first PUT still streams, a PUT during
    /// a multipart completion) never write into, or delete, each other's bytes.
    static func scratch(for final: FilePath) -> FilePath {
        FilePath(final.string + "." + RandomID.make(length: 8) + ".part")
    }

    /// `store(_:as:limit:)` to any file of the store (an upload's part, say).
    func store<S: AsyncSequence>(_ body: S, at final: FilePath, limit: Int64 = .max) async throws -> Measured
        where S.Element == ByteBuffer
    {
        try await write(final, limit: limit) { write in
            for try await chunk in body { try await write(chunk) }
        }
    }

    /// Writes `final` through a scratch file of its own, measuring the size and MD5 of what
    /// `fill` writes (past `limit`, `FileTooLarge`): removed if anything fails, moved into place if not.
    package func write(_ final: FilePath, limit: Int64 = .max,
               _ fill: (_ write: (ByteBuffer) async throws -> Void) async throws -> Void) async throws -> Measured {
        let scratch = Self.scratch(for: final)
        var md5 = Insecure.MD5()
        var size: Int64 = 0
        do {
            try await FileSystem.shared.withFileHandle(forWritingAt: scratch, options: .newFile(replaceExisting: true)) { handle in
                try await handle.withBufferedWriter { writer in
                    try await fill { chunk in
                        size += Int64(chunk.readableBytes)
                        guard size <= limit else { throw FileTooLarge(limit: limit) }
                        chunk.withUnsafeReadableBytes { md5.update(bufferPointer: $0) }
                        _ = try await writer.write(contentsOf: chunk)
                    }
                }
            }
        } catch {
            _ = try? await FileSystem.shared.removeItem(at: scratch)
            guard Self.isNoSpace(error) else { throw error }
            full.withLockedValue { $0 = true }
            throw NoSpaceLeft()
        }
        _ = try? await FileSystem.shared.removeItem(at: final)
        try await FileSystem.shared.moveItem(at: scratch, to: final)
        full.withLockedValue { $0 = false }
        return Measured(size: size, md5: Secrets.hex(md5.finalize()))
    }

    package func unreadiness() async -> String? {
        full.withLockedValue { $0 } ? "no space left for image files" : nil
    }

    /// The disk (or the user's quota) is full: the write may succeed later, unlike other failures.
    static func isNoSpace(_ error: any Error) -> Bool {
        guard let error = error as? FileSystemError else { return false }
        var cause: (any Error)? = error.cause
        while let current = cause {
            if let call = current as? FileSystemError.SystemCallError { return call.errno == .noSpace || call.errno == .diskQuotaExceeded }
            cause = (current as? FileSystemError)?.cause
        }
        return false
    }

    /// Streams the image's file to `emit`, one chunk at a time.
    package func read(_ imageId: String, _ emit: ImageDownload.Emit) async throws {
        try await FileSystem.shared.withFileHandle(forReadingAt: path(imageId)) { handle in
            for try await chunk in handle.readChunks(chunkLength: .kibibytes(256)) {
                try await emit(chunk)
            }
        }
    }

    /// Copies one image's bytes to another image (a shared image's copy).
    package func copy(from source: String, to target: String) async throws -> Measured {
        try await FileSystem.shared.withFileHandle(forReadingAt: path(source)) { handle in
            try await store(handle.readChunks(chunkLength: .kibibytes(256)), as: target)
        }
    }

    /// Writes the image's bytes into a bucket folder as `<imageId>.<format>`.
    package func export(_ imageId: String, format: String, bucket: String) async throws -> String {
        let folder = FilePath(exportRoot).appending(bucket)
        try FileManager.default.createDirectory(atPath: folder.string, withIntermediateDirectories: true)
        let target = folder.appending("\(imageId).\(format)")
        try await FileSystem.shared.withFileHandle(forReadingAt: path(imageId)) { source in
            try await FileSystem.shared.withFileHandle(forWritingAt: target, options: .newFile(replaceExisting: true)) { out in
                try await out.withBufferedWriter { writer in
                    for try await chunk in source.readChunks(chunkLength: .kibibytes(256)) {
                        _ = try await writer.write(contentsOf: chunk)
                    }
                }
            }
        }
        return target.string
    }

    /// Fetches `url`, if the policy allows it, into the image's file. A non-2xx answer is an
    /// error naming the status.
    package func fetch(_ url: String, allowedBy policy: ImportPolicy, as imageId: String) async throws -> Measured {
        try await store(ImportFetcher.open(url, policy: policy).body, as: imageId)
    }

    /// Removes images' files, passing over those that have none, in one trip to the I/O thread
    /// pool. Most images of a large batch have no file, and a lookup of a name that is not
    /// there is the dear part: for a 10,000-image batch delete, an `unlink` and an `access` per
    /// image took 74 ms of CPU (16.7% of the request's, perf), on the core that serves. So the
    /// folder's names are read first, when there are fewer of them than lookups it saves
    /// (`FolderNames`), and only names that are there are removed.
    package func remove(_ imageIds: [String]) async {
        let store = self
        _ = try? await NIOThreadPool.singleton.runIfActive {
            let folder = open(store.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard folder >= 0 else { return }
            defer { close(folder) }
            let present = imageIds.count > 16 ? FolderNames.read(folder, atMost: 8 * imageIds.count) : nil
            for imageId in imageIds {
                if present?.contains(imageId) ?? true { unlinkat(folder, imageId, 0) }
                // A multipart upload's parts, rarely there.
                let parts = store.partsFolder(imageId)
                let name = parts.lastComponent?.string ?? ""
                if present?.contains(name) ?? (faccessat(folder, name, F_OK, 0) == 0) {
                    try? FileManager.default.removeItem(atPath: parts.string)
                }
            }
        }
    }
}
