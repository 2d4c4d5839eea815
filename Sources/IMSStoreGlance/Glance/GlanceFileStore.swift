import Foundation
import IMSFiles
import IMSModel
import IMSService
import NIOCore
import NIOFileSystem

/// Image bytes in Glance: uploads stream to `PUT /v2/images/{id}/file` as they arrive (never
/// collected) and reads stream from `GET …/file`. What Glance has no call for goes through a
/// staging folder of this gateway: multipart parts until they are joined, a fetched import, a
/// copy between two images, an export; the joined or fetched file is then streamed to Glance
/// and removed. (Glance's own web-download import is issue 25's next step.)
struct GlanceFileStore: FileStore {
    let mirror: GlanceMirror
    /// Parts, fetched imports and copies on their way to Glance; exports' buckets.
    let staging: LocalFileStore

    var glance: GlanceClient { mirror.glance }

    func store<S: AsyncSequence>(_ body: S, as imageId: String, limit: Int64) async throws -> MeasuredBytes
        where S.Element == ByteBuffer
    {
        let target = try await mirror.readyForBytes(imageId)
        let measuring = Measuring(body: body, limit: limit)
        try await glance.upload(target.id, body: measuring, as: mirror.caller)
        // Glance measured too: its MD5 is the one a client will check.
        guard let stored = try await glance.image(target.id, as: mirror.caller), let size = stored.size,
              let md5 = stored.checksum else { throw GlanceError(status: 500, message: "the upload left no measured image") }
        return MeasuredBytes(size: size, md5: md5)
    }

    func read(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws {
        guard let image = try await mirror.locate(imageId) else { throw CanonicalError.notFound(kind: "image", id: imageId) }
        try await glance.download(image.id, range: range, as: mirror.caller, emit)
    }

    func copy(from source: String, to target: String) async throws -> MeasuredBytes {
        guard let image = try await mirror.locate(source) else { throw CanonicalError.notFound(kind: "image", id: source) }
        _ = try await staging.write(staging.path(target)) { write in
            try await glance.download(image.id, as: mirror.caller) { try await write($0) }
        }
        return try await send(staged: target)
    }

    func fetch(_ url: String, allowedBy policy: ImportPolicy, as imageId: String) async throws -> MeasuredBytes {
        _ = try await staging.fetch(url, allowedBy: policy, as: imageId)
        return try await send(staged: imageId)
    }

    func export(_ imageId: String, format: String, bucket: String) async throws -> String {
        guard let image = try await mirror.locate(imageId) else { throw CanonicalError.notFound(kind: "image", id: imageId) }
        _ = try await staging.write(staging.path(imageId)) { write in
            try await glance.download(image.id, as: mirror.caller) { try await write($0) }
        }
        do {
            let path = try await staging.export(imageId, format: format, bucket: bucket)
            await staging.remove([imageId])
            return path
        } catch {
            await staging.remove([imageId])
            throw error
        }
    }

    /// Glance's images go with their records (`GlanceImageStore.deleteAll`); here only what
    /// staging holds for them.
    func remove(_ imageIds: [String]) async {
        await staging.remove(imageIds)
    }

    func storePart<S: AsyncSequence>(_ body: S, imageId: String, uploadId: String, number: Int, limit: Int64) async throws
        -> MeasuredBytes where S.Element == ByteBuffer
    {
        try await staging.storePart(body, imageId: imageId, uploadId: uploadId, number: number, limit: limit)
    }

    func assemble(_ imageId: String, uploadId: String, numbers: [Int]) async throws -> MeasuredBytes {
        _ = try await staging.assemble(imageId, uploadId: uploadId, numbers: numbers)
        return try await send(staged: imageId)
    }

    func removePart(_ imageId: String, uploadId: String, number: Int) async {
        await staging.removePart(imageId, uploadId: uploadId, number: number)
    }

    func removeParts(_ imageId: String, uploadId: String?) async {
        await staging.removeParts(imageId, uploadId: uploadId)
    }

    /// Streams the staged file of `imageId` to its Glance image and removes it.
    func send(staged imageId: String) async throws -> MeasuredBytes {
        do {
            let measured = try await FileSystem.shared.withFileHandle(forReadingAt: staging.path(imageId)) { handle in
                try await store(handle.readChunks(chunkLength: .kibibytes(256)), as: imageId, limit: .max)
            }
            await staging.remove([imageId])
            return measured
        } catch {
            await staging.remove([imageId])
            throw error
        }
    }
}

/// An upload's body on its way to Glance: past `limit` bytes it throws `FileTooLarge` (the upload
/// fails and Glance keeps nothing usable, as `FileStore.store` requires).
struct Measuring<Base: AsyncSequence>: AsyncSequence, @unchecked Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let body: Base
    let limit: Int64

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let limit: Int64
        var count: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            count += Int64(chunk.readableBytes)
            if count > limit { throw FileTooLarge(limit: limit) }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: body.makeAsyncIterator(), limit: limit) }
}
