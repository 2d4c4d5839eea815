import Foundation
import IMSModel
import NIOCore

/// The S3 endpoint's objects: a prepared image's bytes, written whole by PutObject or joined
/// from a multipart upload's parts, bounded by the prepared size.
extension GatewayService: UploadObjects {
    public func uploadKey(_ accessKey: String) async throws(UploadObjectError) -> UploadKey? {
        try await s3 { try await self.stores.uploads.key(accessKey) }
    }

    public func putObject(_ imageId: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(UploadObjectError) -> StoredObject {
        let ticket = try await s3 { try await self.beginUpload(imageId) }
        let bytes = stores.bytes
        let measured = try await receiving(imageId) { try await bytes.store(body, as: imageId, limit: ticket.size) }
        return try await s3 {
            let now = self.mint.now()
            try await self.stores.uploads.recordBytes(imageId, measured, etag: measured.md5, at: now)
            return StoredObject(size: measured.size, etag: measured.md5, modified: now)
        }
    }

    public func object(_ imageId: String) async throws(UploadObjectError) -> StoredObject {
        let file = try await s3 { try await self.stores.uploads.file(imageId) }
        guard let file, file.complete else { throw .noSuchKey }
        return StoredObject(size: file.size, etag: file.etag.isEmpty ? file.md5 : file.etag, modified: file.updatedAt)
    }

    public func readObject(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws {
        try await stores.bytes.read(imageId, range: range, emit)
    }

    public func createMultipartUpload(_ imageId: String) async throws(UploadObjectError) -> String {
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
                           body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(UploadObjectError) -> StoredPart {
        guard (1...10_000).contains(number) else {
            throw .partNumberOutOfRange
        }
        let uploads = stores.uploads
        let reservation = try await s3 {
            let prepared = try await uploads.file(imageId)?.expectedSize ?? 0
            return try await uploads.reservePart(imageId, uploadId, number: number, length: length, prepared: prepared, at: self.mint.now())
        }
        let limit: Int64
        switch reservation {
        case .reserved(let size): limit = size
        case .noSuchUpload: throw .noSuchUpload
        case .tooLarge: throw .tooLarge
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
        do throws(UploadObjectError) {
            guard try await s3({ try await uploads.recordPart(imageId, part) }) else { throw .noSuchUpload }
            return StoredPart(number: number, size: part.size, md5: part.md5, modified: part.updatedAt)
        } catch {
            // Only this part's bytes: the others are still recorded and wanted.
            await bytes.removePart(imageId, uploadId: uploadId, number: number)
            throw error
        }
    }

    public func listParts(_ imageId: String, uploadId: String) async throws(UploadObjectError) -> [StoredPart] {
        let parts = try await openParts(imageId, uploadId)
        // A part still arriving holds its reservation only; it is not listed yet.
        return parts.filter { !$0.md5.isEmpty }.map { StoredPart(number: $0.partNumber, size: $0.size, md5: $0.md5, modified: $0.updatedAt) }
    }

    public func checkCompletion(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)]) async throws(UploadObjectError) {
        let stored = try await openParts(imageId, uploadId)
        let prepared = try await s3 { try await self.stores.uploads.file(imageId)?.expectedSize ?? 0 }
        _ = try MultipartPlan.choose(parts, from: stored, prepared: prepared)
    }

    public func completeMultipartUpload(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)])
        async throws(UploadObjectError) -> StoredObject
    {
        let uploads = stores.uploads
        // Claimed before its parts are joined: a client's retry meanwhile finds the upload
        // completed (NoSuchUpload) instead of joining them a second time.
        guard let stored = try await s3({ try await uploads.claimCompletion(imageId, uploadId) }) else { throw .noSuchUpload }
        let bytes = stores.bytes
        let chosen: [UploadPartRecord]
        let measured: MeasuredBytes
        do {
            let prepared = try await s3 { try await uploads.file(imageId)?.expectedSize ?? 0 }
            chosen = try MultipartPlan.choose(parts, from: stored, prepared: prepared)
            measured = try await receiving(imageId, otherwise: .internalError) {
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

    public func abortMultipartUpload(_ imageId: String, uploadId: String) async throws(UploadObjectError) {
        guard try await s3({ try await self.stores.uploads.abortMultipart(imageId, uploadId) }) else { throw .noSuchUpload }
        await stores.bytes.removeParts(imageId, uploadId: uploadId)
    }

    func openParts(_ imageId: String, _ uploadId: String) async throws(UploadObjectError) -> [UploadPartRecord] {
        try await s3 {
            guard try await self.stores.uploads.openUpload(imageId, uploadId) != nil else { throw UploadObjectError.noSuchUpload }
            return try await self.stores.uploads.parts(uploadId)
        }
    }

    /// Runs a write of bytes: past the prepared size it is `tooLarge`, a body that failed its
    /// checks keeps its own error (`refusedBody`), a broken connection is `incompleteBody`; in every case
    /// nothing is kept and (unless `failsUpload` is false: one part of a multipart upload) the
    /// image waits for another upload.
    func receiving<T>(_ imageId: String, failsUpload: Bool = true,
                      otherwise broken: UploadObjectError = .incompleteBody,
                      _ body: () async throws -> T) async throws(UploadObjectError) -> T {
        do {
            return try await body()
        } catch {
            if failsUpload { await failUpload(imageId) }
            switch error {
            case let error as any BodyRefusal: throw .refusedBody(error)
            case is FileTooLarge: throw .tooLarge
            case is NoSpaceLeft: throw .canonical(Self.noSpace)
            default:
                Self.logger.warning("upload broke off", metadata: ["image_id": .string(imageId), "error": .string("\(error)")])
                throw broken
            }
        }
    }

    /// A store access whose refusals pass through; canonical errors are kept as such, others
    /// become an internal error. Within the deadline of the backend that handed the call out,
    /// when it has one (`StepDeadline`).
    func s3<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws(UploadObjectError) -> T {
        do {
            if let step = StepDeadline.current { return try await step.run(body) }
            return try await body()
        } catch let error as UploadObjectError {
            throw error
        } catch let error as CanonicalError {
            throw .canonical(error)
        } catch {
            Self.logger.error("store failed", metadata: ["error": .string("\(error)")])
            throw .internalError
        }
    }
}
