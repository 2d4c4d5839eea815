import Foundation
import GRDB
import IMSService

/// Upload records of the SQLite store: image files, S3 upload keys, multipart uploads and parts.
extension SQLiteStore: UploadRecords {
    public func file(_ imageId: String) async throws -> ImageFile? {
        try await read { db in try ImageFile.fetchOne(db, key: imageId) }
    }

    public func prepare(_ file: ImageFile, key: UploadKey, change: ImageStateChange) async throws {
        try await write { db in
            try file.upsert(db)
            try UploadObjectRecords.replaceKey(key, in: db)
            _ = try SQLiteImages.change(file.imageId, change, in: db)
            try db.execute(sql: "UPDATE image SET uploadId = ? WHERE imageId = ?", arguments: [file.uploadId, file.imageId])
        }
    }

    public func recordBytes(_ imageId: String, _ measured: MeasuredBytes, etag: String, at: Date) async throws {
        try await write { db in try Self.recordBytes(imageId, measured, etag: etag, at: at, in: db) }
    }

    static func recordBytes(_ imageId: String, _ measured: MeasuredBytes, etag: String, at: Date, in db: Database) throws {
        try db.execute(sql: "UPDATE imageFile SET size = ?, md5 = ?, etag = ?, complete = 1, updatedAt = ? WHERE imageId = ?",
                       arguments: [measured.size, measured.md5, etag, at, imageId])
    }

    public func finishUpload(_ imageId: String, _ change: ImageStateChange) async throws {
        try await write { db in
            _ = try SQLiteImages.change(imageId, change, in: db)
            try db.execute(sql: "UPDATE imageFile SET token = '' WHERE imageId = ?", arguments: [imageId])
            try UploadObjectRecords.revoke(imageId, in: db)
        }
    }

    public func completeFile(_ imageId: String, _ measured: MeasuredBytes, at: Date) async throws {
        try await write { db in
            try ImageFile(imageId: imageId, uploadId: "", token: "", expectedSize: measured.size, size: measured.size,
                          md5: measured.md5, complete: true, updatedAt: at).upsert(db)
        }
    }

    public func key(_ accessKey: String) async throws -> UploadKey? {
        try await read { db in try UploadObjectRecords.key(accessKey, in: db) }
    }

    public func multipartIds(of imageId: String) async throws -> [String] {
        try await read { db in try UploadObjectRecords.multipartIds(imageId, in: db) }
    }

    public func openMultipart(_ upload: MultipartUpload) async throws {
        try await write { db in try upload.insert(db) }
    }

    public func openUpload(_ imageId: String, _ uploadId: String) async throws -> MultipartUpload? {
        try await read { db in try UploadObjectRecords.openUpload(imageId, uploadId, in: db) }
    }

    public func reservePart(_ imageId: String, _ uploadId: String, number: Int, length: Int64?, prepared: Int64, at: Date) async throws
        -> PartReservation
    {
        try await write { db in
            guard try UploadObjectRecords.openUpload(imageId, uploadId, in: db) != nil else { return .noSuchUpload }
            let room = max(prepared - (try UploadObjectRecords.sizeOfOtherParts(uploadId, except: number, in: db)), 0)
            let reserved = length ?? room
            guard reserved <= room else { return .tooLarge }
            try UploadPartRecord(uploadId: uploadId, partNumber: number, size: reserved, md5: "", updatedAt: at).upsert(db)
            return .reserved(reserved)
        }
    }

    public func recordPart(_ imageId: String, _ part: UploadPartRecord) async throws -> Bool {
        try await write { db in
            guard try UploadObjectRecords.openUpload(imageId, part.uploadId, in: db) != nil else { return false }
            try part.upsert(db)
            return true
        }
    }

    public func dropReservation(_ uploadId: String, number: Int) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM uploadPart WHERE uploadId = ? AND partNumber = ? AND md5 = ''", arguments: [uploadId, number])
        }
    }

    public func parts(_ uploadId: String) async throws -> [UploadPartRecord] {
        try await read { db in try UploadObjectRecords.parts(uploadId, in: db) }
    }

    public func claimCompletion(_ imageId: String, _ uploadId: String) async throws -> [UploadPartRecord]? {
        try await write { db in
            guard try UploadObjectRecords.openUpload(imageId, uploadId, in: db) != nil else { return nil }
            try db.execute(sql: "UPDATE multipartUpload SET completed = 1 WHERE uploadId = ?", arguments: [uploadId])
            return try UploadObjectRecords.parts(uploadId, in: db)
        }
    }

    public func reopen(_ uploadId: String) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE multipartUpload SET completed = 0 WHERE uploadId = ?", arguments: [uploadId])
        }
    }

    public func endMultipart(_ imageId: String, _ uploadId: String, _ measured: MeasuredBytes, etag: String, at: Date) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM uploadPart WHERE uploadId = ?", arguments: [uploadId])
            try Self.recordBytes(imageId, measured, etag: etag, at: at, in: db)
        }
    }

    public func abortMultipart(_ imageId: String, _ uploadId: String) async throws -> Bool {
        try await write { db in
            guard try UploadObjectRecords.openUpload(imageId, uploadId, in: db) != nil else { return false }
            try db.execute(sql: "DELETE FROM multipartUpload WHERE uploadId = ?", arguments: [uploadId])
            return true
        }
    }
}
