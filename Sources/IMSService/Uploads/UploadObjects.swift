import Foundation
import IMSModel
import NIOCore

/// What the S3 endpoint needs of a store: the upload keys and the prepared objects' bytes. The
/// bundled store serves it; a gateway in front of a remote store passes S3 requests through.
/// Refusals are the service's (`UploadObjectError`); the S3 endpoint says them as S3 does.
public protocol UploadObjects: Sendable {
    func uploadKey(_ accessKey: String) async throws(UploadObjectError) -> UploadKey?
    func putObject(_ imageId: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(UploadObjectError) -> StoredObject
    func object(_ imageId: String) async throws(UploadObjectError) -> StoredObject
    /// Streams `range` (inclusive) of the object's bytes, or all of them, to `emit`.
    func readObject(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws
    func createMultipartUpload(_ imageId: String) async throws(UploadObjectError) -> String
    /// `length` is the part's declared size, when the request declares one.
    func uploadPart(_ imageId: String, uploadId: String, number: Int, length: Int64?,
                    body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(UploadObjectError) -> StoredPart
    func listParts(_ imageId: String, uploadId: String) async throws(UploadObjectError) -> [StoredPart]
    /// Whether `completeMultipartUpload` would accept these parts (checked before its long part).
    func checkCompletion(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)]) async throws(UploadObjectError)
    func completeMultipartUpload(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)])
        async throws(UploadObjectError) -> StoredObject
    func abortMultipartUpload(_ imageId: String, uploadId: String) async throws(UploadObjectError)
}

/// A stored object as S3 describes it; `etag` without quotes.
public struct StoredObject: Sendable, Equatable {
    public var size: Int64
    public var etag: String
    public var modified: Date
}

/// One uploaded part; its ETag is its bytes' MD5.
public struct StoredPart: Sendable, Equatable {
    public var number: Int
    public var size: Int64
    public var md5: String
    public var modified: Date
}

/// Why an upload object step was refused, in the service's words. The S3 endpoint answers each
/// with S3's code and message (`S3Error.init(_: UploadObjectError)`).
public enum UploadObjectError: Error, Sendable {
    /// The object is not there, or its bytes are not complete.
    case noSuchKey
    /// The multipart upload is not open (never opened, aborted, or completed).
    case noSuchUpload
    /// The bytes would pass the prepared size.
    case tooLarge
    /// A part number outside 1...10,000.
    case partNumberOutOfRange
    /// The parts to join are not listed in ascending order.
    case partsOutOfOrder
    /// A part to join was not uploaded, or its entity tag does not match.
    case unknownPart
    /// The request body ended before it was complete.
    case incompleteBody
    /// Anything else; the detail is logged, not answered.
    case internalError
    /// A store step's canonical error.
    case canonical(CanonicalError)
    /// The body's own checks refused it (a digest or a chunk signature): their error as they threw it.
    case refusedBody(any BodyRefusal)
}

/// An error a request body's own checks throw while its bytes are read. An upload step passes it
/// on as it is (`UploadObjectError.refusedBody`), where a body that just broke off is
/// `incompleteBody`.
public protocol BodyRefusal: Error, Sendable {}
