import Foundation

/// The records beside image bytes: where an upload stands (`ImageFile`), the S3 endpoint's
/// upload keys, multipart uploads and their parts (SQLite migration v8). Upload ids, tokens
/// and keys are minted by the service; only a token's SHA-256 is ever stored.
public protocol UploadRecords: Sendable {
    func file(_ imageId: String) async throws -> ImageFile?

    /// upload-prepare, atomically: upserts `file`, deletes the image's upload keys and multipart
    /// uploads (with their parts), inserts `key`, and writes `change` to the image (as
    /// `ImageStore.change`) with its `uploadId` set to `file.uploadId`.
    func prepare(_ file: ImageFile, key: UploadKey, change: ImageStateChange) async throws

    /// Bytes arrived: sets the file's `size`, `md5`, `etag`, `complete = true`, `updatedAt`.
    /// No file record: nothing happens.
    func recordBytes(_ imageId: String, _ measured: MeasuredBytes, etag: String, at: Date) async throws

    /// upload-done, atomically: writes `change` to the image (as `ImageStore.change`), clears
    /// the file's token, deletes the image's upload keys and multipart uploads.
    func finishUpload(_ imageId: String, _ change: ImageStateChange) async throws

    /// A job's fetch or copy got the bytes: upserts a complete file record (`uploadId` and
    /// `token` empty, `expectedSize` = `size`).
    func completeFile(_ imageId: String, _ measured: MeasuredBytes, at: Date) async throws

    func key(_ accessKey: String) async throws -> UploadKey?

    /// The ids of the image's multipart uploads (completed ones included).
    func multipartIds(of imageId: String) async throws -> [String]

    func openMultipart(_ upload: MultipartUpload) async throws

    /// The upload if it is the image's and not completed.
    func openUpload(_ imageId: String, _ uploadId: String) async throws -> MultipartUpload?

    /// Reserves room for a part before its bytes are read, atomically with the check that the
    /// upload is open: `length` bytes, or all the room left (`prepared` minus the upload's other
    /// parts) when nil; upserts the part with that size and an empty md5. Answers the reserved
    /// size, `.noSuchUpload`, or `.tooLarge` when `length` exceeds the room.
    func reservePart(_ imageId: String, _ uploadId: String, number: Int, length: Int64?, prepared: Int64, at: Date) async throws
        -> PartReservation

    /// Records a received part (upsert) if the upload is still open; false if not.
    func recordPart(_ imageId: String, _ part: UploadPartRecord) async throws -> Bool

    /// Drops a part's reservation if its bytes never arrived (md5 still empty).
    func dropReservation(_ uploadId: String, number: Int) async throws

    /// The upload's parts by number (reservations included: md5 empty).
    func parts(_ uploadId: String) async throws -> [UploadPartRecord]

    /// Atomically marks an open upload completed and answers its parts; nil if it was not open
    /// (a retry while the parts are joined finds it completed).
    func claimCompletion(_ imageId: String, _ uploadId: String) async throws -> [UploadPartRecord]?

    /// Opens a claimed upload again (joining its parts failed).
    func reopen(_ uploadId: String) async throws

    /// Atomically deletes the upload's parts and records the joined bytes (`recordBytes`).
    func endMultipart(_ imageId: String, _ uploadId: String, _ measured: MeasuredBytes, etag: String, at: Date) async throws

    /// Deletes an open upload (its parts with it); false if it was not open.
    func abortMultipart(_ imageId: String, _ uploadId: String) async throws -> Bool
}

public enum PartReservation: Sendable, Equatable {
    case reserved(Int64)
    case noSuchUpload
    case tooLarge
}

/// The stored bytes of an image: where an upload stands and what it measured.
public struct ImageFile: Codable, Sendable, Equatable {
    public var imageId: String
    public var uploadId: String
    /// SHA-256 (hex) of the upload token; empty once the upload is done.
    public var token: String
    public var expectedSize: Int64
    public var size: Int64
    public var md5: String
    public var complete: Bool
    public var updatedAt: Date
    /// S3's ETag of the object: empty for the MD5, else a multipart upload's.
    public var etag = ""

    /// Memberwise, for the stores in their own targets.
    package init(imageId: String, uploadId: String, token: String, expectedSize: Int64, size: Int64, md5: String, complete: Bool,
                 updatedAt: Date, etag: String = "") {
        self.imageId = imageId
        self.uploadId = uploadId
        self.token = token
        self.expectedSize = expectedSize
        self.size = size
        self.md5 = md5
        self.complete = complete
        self.updatedAt = updatedAt
        self.etag = etag
    }
}

public struct MultipartUpload: Codable, Sendable, Equatable {
    public var uploadId: String
    public var imageId: String
    public var completed: Bool
    public var createdAt: Date

    /// Memberwise, for the stores in their own targets.
    package init(uploadId: String, imageId: String, completed: Bool, createdAt: Date) {
        self.uploadId = uploadId
        self.imageId = imageId
        self.completed = completed
        self.createdAt = createdAt
    }
}

public struct UploadPartRecord: Codable, Sendable, Equatable {
    public var uploadId: String
    public var partNumber: Int
    public var size: Int64
    public var md5: String
    public var updatedAt: Date

    /// Memberwise, for the stores in their own targets.
    package init(uploadId: String, partNumber: Int, size: Int64, md5: String, updatedAt: Date) {
        self.uploadId = uploadId
        self.partNumber = partNumber
        self.size = size
        self.md5 = md5
        self.updatedAt = updatedAt
    }
}
