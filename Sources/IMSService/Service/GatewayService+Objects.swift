import Foundation
import NIOCore

/// The S3 endpoint's objects: a prepared image's bytes, written whole by PutObject or joined
/// from a multipart upload's parts, bounded by the prepared size.
extension GatewayService: UploadObjects {
    static let noSuchUpload = S3Error(.noSuchUpload, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
    static let tooLarge = S3Error(.entityTooLarge, "Your proposed upload exceeds the prepared size.")

    public func uploadKey(_ accessKey: String) async throws(S3Error) -> UploadKey? {
        try await s3 { try await self.stores.uploads.key(accessKey) }
    }

    public func putObject(_ imageId: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(S3Error) -> StoredObject {
        let ticket = try await s3 { try await self.beginUpload(imageId) }
        let bytes = stores.bytes
        let measured = try await receiving(imageId) { try await bytes.store(body, as: imageId, limit: ticket.size) }
        return try await s3 {
            let now = self.mint.now()
            try await self.stores.uploads.recordBytes(imageId, measured, etag: measured.md5, at: now)
            return StoredObject(size: measured.size, etag: measured.md5, modified: now)
        }
    }

    public func object(_ imageId: String) async throws(S3Error) -> StoredObject {
        let file = try await s3 { try await self.stores.uploads.file(imageId) }
        guard let file, file.complete else { throw S3Error(.noSuchKey, "The specified key does not exist.") }
        return StoredObject(size: file.size, etag: file.etag.isEmpty ? file.md5 : file.etag, modified: file.updatedAt)
    }

    public func readObject(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws {
        try await stores.bytes.read(imageId, range: range, emit)
    }

    public func createMultipartUpload(_ imageId: String) async throws(S3Error) -> String {
        try await s3 {
            _ = try await self.beginUpload(imageId)
            let upload = MultipartUpload(uploadId: self.mint.multipartUploadId(), imageId: imageId, completed: false, createdAt: self.mint.now())
            try await self.stores.uploads.openMultipart(upload)
            return upload.uploadId
        }
    }

    /// A part's size is reserved before its bytes are read (its declared length, or all the room
    /// left when none is declared), so parts in flight together cannot pass the prepared size
    /// either; one that declares more than the room left is refused before its body is read.
    public func uploadPart(_ imageId: String, uploadId: String, number: Int, length: Int64?,
                           body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(S3Error) -> StoredPart {
        guard (1...10_000).contains(number) else {
            throw S3Error(.invalidArgument, "Part number must be an integer between 1 and 10000, inclusive.")
        }
        let uploads = stores.uploads
        let reservation = try await s3 {
            let prepared = try await uploads.file(imageId)?.expectedSize ?? 0
            return try await uploads.reservePart(imageId, uploadId, number: number, length: length, prepared: prepared, at: self.mint.now())
        }
        let limit: Int64
        switch reservation {
        case .reserved(let size): limit = size
        case .noSuchUpload: throw Self.noSuchUpload
        case .tooLarge: throw Self.tooLarge
        }
        let bytes = stores.bytes
        let measured: MeasuredBytes
        do {
            // One part failing leaves the upload open: the client sends that part again.
            measured = try await receiving(imageId, failsUpload: false) {
                try await bytes.storePart(body, imageId: imageId, uploadId: uploadId, number: number, limit: limit)
            }
        } catch {
            _ = try? await uploads.dropReservation(uploadId, number: number)
            throw error
        }
        let part = UploadPartRecord(uploadId: uploadId, partNumber: number, size: measured.size, md5: measured.md5, updatedAt: mint.now())
        do throws(S3Error) {
            guard try await s3({ try await uploads.recordPart(imageId, part) }) else { throw Self.noSuchUpload }
            return StoredPart(number: number, size: part.size, md5: part.md5, modified: part.updatedAt)
        } catch {
            // Only this part's bytes: the others are still recorded and wanted.
            await bytes.removePart(imageId, uploadId: uploadId, number: number)
            throw error
        }
    }

    public func listParts(_ imageId: String, uploadId: String) async throws(S3Error) -> [StoredPart] {
        let parts = try await openParts(imageId, uploadId)
        // A part still arriving holds its reservation only; it is not listed yet.
        return parts.filter { !$0.md5.isEmpty }.map { StoredPart(number: $0.partNumber, size: $0.size, md5: $0.md5, modified: $0.updatedAt) }
    }

    public func checkCompletion(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)]) async throws(S3Error) {
        let stored = try await openParts(imageId, uploadId)
        let prepared = try await s3 { try await self.stores.uploads.file(imageId)?.expectedSize ?? 0 }
        _ = try MultipartPlan.choose(parts, from: stored, prepared: prepared)
    }

    public func completeMultipartUpload(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)])
        async throws(S3Error) -> StoredObject
    {
        let uploads = stores.uploads
        // Claimed before its parts are joined: a client's retry meanwhile finds the upload
        // completed (NoSuchUpload) instead of joining them a second time.
        guard let stored = try await s3({ try await uploads.claimCompletion(imageId, uploadId) }) else { throw Self.noSuchUpload }
        let bytes = stores.bytes
        let chosen: [UploadPartRecord]
        let measured: MeasuredBytes
        do {
            let prepared = try await s3 { try await uploads.file(imageId)?.expectedSize ?? 0 }
            chosen = try MultipartPlan.choose(parts, from: stored, prepared: prepared)
            measured = try await receiving(imageId, otherwise: S3Error(.internalError, "We encountered an internal error. Please try again.")) {
                try await bytes.assemble(imageId, uploadId: uploadId, numbers: chosen.map(\.partNumber))
            }
        } catch {
            // Not joined: the upload is open again for the client's retry.
            _ = try? await uploads.reopen(uploadId)
            throw error
        }
        await bytes.removeParts(imageId, uploadId: uploadId)
        let etag = MultipartPlan.etag(chosen.map(\.md5))
        return try await s3 {
            let now = self.mint.now()
            try await uploads.endMultipart(imageId, uploadId, measured, etag: etag, at: now)
            return StoredObject(size: measured.size, etag: etag, modified: now)
        }
    }

    public func abortMultipartUpload(_ imageId: String, uploadId: String) async throws(S3Error) {
        guard try await s3({ try await self.stores.uploads.abortMultipart(imageId, uploadId) }) else { throw Self.noSuchUpload }
        await stores.bytes.removeParts(imageId, uploadId: uploadId)
    }

    func openParts(_ imageId: String, _ uploadId: String) async throws(S3Error) -> [UploadPartRecord] {
        try await s3 {
            guard try await self.stores.uploads.openUpload(imageId, uploadId) != nil else { throw Self.noSuchUpload }
            return try await self.stores.uploads.parts(uploadId)
        }
    }

    /// Runs a write of bytes: past the prepared size it is `EntityTooLarge`, a body that failed
    /// its checks keeps its S3 error, a broken connection is `IncompleteBody`; in every case
    /// nothing is kept and (unless `failsUpload` is false: one part of a multipart upload) the
    /// image waits for another upload.
    func receiving<T>(_ imageId: String, failsUpload: Bool = true,
                      otherwise broken: S3Error = S3Error(.incompleteBody, "The request body ended before it was complete."),
                      _ body: () async throws -> T) async throws(S3Error) -> T {
        do {
            return try await body()
        } catch {
            if failsUpload { await failUpload(imageId) }
            switch error {
            case let error as S3Error: throw error
            case is LocalFileStore.TooLarge: throw Self.tooLarge
            default:
                Self.logger.warning("upload broke off", metadata: ["image_id": .string(imageId), "error": .string("\(error)")])
                throw broken
            }
        }
    }

    /// A store access whose S3 errors pass through; canonical ones become S3's, others S3's internal error.
    func s3<T>(_ body: () async throws -> T) async throws(S3Error) -> T {
        do {
            return try await body()
        } catch let error as S3Error {
            throw error
        } catch let error as CanonicalError {
            throw S3Error(error)
        } catch {
            Self.logger.error("store failed", metadata: ["error": .string("\(error)")])
            throw S3Error(.internalError, "We encountered an internal error. Please try again.")
        }
    }
}
