import Crypto
import Foundation
import GRDB
import NIOCore

/// The S3 endpoint's objects in the bundled store: a prepared image's file, written whole by
/// PutObject or joined from a multipart upload's parts, bounded by the prepared size.
extension BundledBackend: UploadObjects {
    public func uploadKey(_ accessKey: String) async throws(S3Error) -> UploadKey? {
        try await s3(write: false) { db in try UploadObjectRecords.key(accessKey, in: db) }
    }

    public func putObject(_ imageId: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(S3Error) -> StoredObject {
        let ticket = try await s3(write: true) { db in try FileRecords.beginUpload(imageId, now: Date(), in: db) }
        let files = self.files
        let measured = try await receiving(imageId) { try await files.store(body, as: imageId, limit: ticket.size) }
        return try await s3(write: true) { db in
            try FileRecords.endUpload(imageId, measured, etag: measured.md5, now: Date(), in: db)
            return StoredObject(size: measured.size, etag: measured.md5, modified: Date())
        }
    }

    public func object(_ imageId: String) async throws(S3Error) -> StoredObject {
        try await s3(write: false) { db in
            guard let file = try ImageFile.fetchOne(db, key: imageId), file.complete else {
                throw S3Error(.noSuchKey, "The specified key does not exist.")
            }
            return StoredObject(size: file.size, etag: file.etag.isEmpty ? file.md5 : file.etag, modified: file.updatedAt)
        }
    }

    public func readObject(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws {
        try await files.read(imageId, range: range, emit)
    }

    public func createMultipartUpload(_ imageId: String) async throws(S3Error) -> String {
        try await s3(write: true) { db in
            _ = try FileRecords.beginUpload(imageId, now: Date(), in: db)
            let row = UploadObjectRecords.MultipartRow(uploadId: "mpu-" + RandomID.make(length: 32), imageId: imageId,
                                                       completed: false, createdAt: Date())
            try row.insert(db)
            return row.uploadId
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
        let limit = try await s3(write: true) { db in
            _ = try UploadObjectRecords.openUpload(imageId, uploadId, in: db)
            let prepared = try ImageFile.fetchOne(db, key: imageId)?.expectedSize ?? 0
            let room = max(prepared - (try UploadObjectRecords.sizeOfOtherParts(uploadId, except: number, in: db)), 0)
            let reserved = length ?? room
            guard reserved <= room else { throw S3Error(.entityTooLarge, "Your proposed upload exceeds the prepared size.") }
            try UploadObjectRecords.PartRow(uploadId: uploadId, partNumber: number, size: reserved, md5: "", updatedAt: Date()).upsert(db)
            return reserved
        }
        let files = self.files
        let measured: FileStore.Measured
        do {
            // One part failing leaves the upload open: the client sends that part again.
            measured = try await receiving(imageId, failsUpload: false) {
                try await files.storePart(body, imageId: imageId, uploadId: uploadId, number: number, limit: limit)
            }
        } catch {
            _ = try? await s3(write: true) { db in
                try db.execute(sql: "DELETE FROM uploadPart WHERE uploadId = ? AND partNumber = ? AND md5 = ''",
                               arguments: [uploadId, number])
            }
            throw error
        }
        do {
            return try await s3(write: true) { db in
                _ = try UploadObjectRecords.openUpload(imageId, uploadId, in: db)
                let row = UploadObjectRecords.PartRow(uploadId: uploadId, partNumber: number, size: measured.size, md5: measured.md5,
                                                      updatedAt: Date())
                try row.upsert(db)
                return StoredPart(number: number, size: row.size, md5: row.md5, modified: row.updatedAt)
            }
        } catch {
            // Only this part's bytes: the others are still recorded and wanted.
            await files.removePart(imageId, uploadId: uploadId, number: number)
            throw error
        }
    }

    public func listParts(_ imageId: String, uploadId: String) async throws(S3Error) -> [StoredPart] {
        try await s3(write: false) { db in
            _ = try UploadObjectRecords.openUpload(imageId, uploadId, in: db)
            // A part still arriving holds its reservation only; it is not listed yet.
            return try UploadObjectRecords.parts(uploadId, in: db).filter { !$0.md5.isEmpty }.map {
                StoredPart(number: $0.partNumber, size: $0.size, md5: $0.md5, modified: $0.updatedAt)
            }
        }
    }

    public func checkCompletion(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)]) async throws(S3Error) {
        _ = try await s3(write: false) { db in
            _ = try UploadObjectRecords.openUpload(imageId, uploadId, in: db)
            let prepared = try ImageFile.fetchOne(db, key: imageId)?.expectedSize ?? 0
            return try MultipartPlan.choose(parts, from: UploadObjectRecords.parts(uploadId, in: db), prepared: prepared).count
        }
    }

    public func completeMultipartUpload(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)])
        async throws(S3Error) -> StoredObject
    {
        // Claimed in the transaction that checks it: a client's retry while the parts are being
        // joined finds the upload completed (NoSuchUpload) instead of joining them a second time.
        let chosen = try await s3(write: true) { db in
            _ = try UploadObjectRecords.openUpload(imageId, uploadId, in: db)
            let prepared = try ImageFile.fetchOne(db, key: imageId)?.expectedSize ?? 0
            let chosen = try MultipartPlan.choose(parts, from: UploadObjectRecords.parts(uploadId, in: db), prepared: prepared)
            try db.execute(sql: "UPDATE multipartUpload SET completed = 1 WHERE uploadId = ?", arguments: [uploadId])
            return chosen
        }
        let files = self.files
        let measured: FileStore.Measured
        do {
            measured = try await receiving(imageId, otherwise: S3Error(.internalError, "We encountered an internal error. Please try again.")) {
                try await files.assemble(imageId, uploadId: uploadId, numbers: chosen.map(\.partNumber))
            }
        } catch {
            // Not joined: the upload is open again for the client's retry.
            _ = try? await s3(write: true) { db in
                try db.execute(sql: "UPDATE multipartUpload SET completed = 0 WHERE uploadId = ?", arguments: [uploadId])
            }
            throw error
        }
        await files.removeParts(imageId, uploadId: uploadId)
        let etag = MultipartPlan.etag(chosen.map(\.md5))
        return try await s3(write: true) { db in
            try db.execute(sql: "DELETE FROM uploadPart WHERE uploadId = ?", arguments: [uploadId])
            try FileRecords.endUpload(imageId, measured, etag: etag, now: Date(), in: db)
            return StoredObject(size: measured.size, etag: etag, modified: Date())
        }
    }

    public func abortMultipartUpload(_ imageId: String, uploadId: String) async throws(S3Error) {
        try await s3(write: true) { db in
            _ = try UploadObjectRecords.openUpload(imageId, uploadId, in: db)
            try db.execute(sql: "DELETE FROM multipartUpload WHERE uploadId = ?", arguments: [uploadId])
        }
        await files.removeParts(imageId, uploadId: uploadId)
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
            if failsUpload {
                _ = try? await access(write: true) { db in try FileRecords.failUpload(imageId, now: Date(), in: db) }
            }
            switch error {
            case let error as S3Error: throw error
            case is FileStore.TooLarge: throw S3Error(.entityTooLarge, "Your proposed upload exceeds the prepared size.")
            default:
                Self.logger.warning("upload broke off", metadata: ["image_id": .string(imageId), "error": .string("\(error)")])
                throw broken
            }
        }
    }

    /// A store access whose S3 errors pass through; others become S3's.
    func s3<T: Sendable>(write: Bool, _ body: @escaping @Sendable (Database) throws -> T) async throws(S3Error) -> T {
        do {
            return try await write ? pool.write(body) : pool.read(body)
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

/// Which stored parts a CompleteMultipartUpload joins, and the multipart ETag.
enum MultipartPlan {
    static func choose(_ listed: [(number: Int, etag: String)], from stored: [UploadObjectRecords.PartRow],
                       prepared: Int64) throws(S3Error) -> [UploadObjectRecords.PartRow] {
        var chosen: [UploadObjectRecords.PartRow] = []
        for part in listed {
            guard part.number > (chosen.last?.partNumber ?? 0) else {
                throw S3Error(.invalidPartOrder, "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
            }
            let etag = part.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased()
            guard let row = stored.first(where: { $0.partNumber == part.number }), row.md5 == etag else {
                throw S3Error(.invalidPart, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
            }
            chosen.append(row)
        }
        guard chosen.reduce(0, { $0 + $1.size }) <= prepared else {
            throw S3Error(.entityTooLarge, "Your proposed upload exceeds the prepared size.")
        }
        return chosen
    }

    /// MD5 of the parts' binary MD5s, then `-` and their count: S3's multipart ETag.
    static func etag(_ md5s: [String]) -> String {
        var joined: [UInt8] = []
        for md5 in md5s { joined += S3Authenticator.hexBytes(md5) ?? [] }
        return Secrets.hex(Insecure.MD5.hash(data: joined)) + "-\(md5s.count)"
    }
}
