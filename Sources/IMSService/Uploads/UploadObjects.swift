import Foundation
import NIOCore

/// What the S3 endpoint needs of a store: the upload keys and the prepared objects' bytes. The
/// bundled store serves it; a gateway in front of a remote store passes S3 requests through.
public protocol UploadObjects: Sendable {
    func uploadKey(_ accessKey: String) async throws(S3Error) -> UploadKey?
    func putObject(_ imageId: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(S3Error) -> StoredObject
    func object(_ imageId: String) async throws(S3Error) -> StoredObject
    /// Streams `range` (inclusive) of the object's bytes, or all of them, to `emit`.
    func readObject(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws
    func createMultipartUpload(_ imageId: String) async throws(S3Error) -> String
    /// `length` is the part's declared size, when the request declares one.
    func uploadPart(_ imageId: String, uploadId: String, number: Int, length: Int64?,
                    body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(S3Error) -> StoredPart
    func listParts(_ imageId: String, uploadId: String) async throws(S3Error) -> [StoredPart]
    /// Whether `completeMultipartUpload` would accept these parts (checked before its long part).
    func checkCompletion(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)]) async throws(S3Error)
    func completeMultipartUpload(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)])
        async throws(S3Error) -> StoredObject
    func abortMultipartUpload(_ imageId: String, uploadId: String) async throws(S3Error)
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
