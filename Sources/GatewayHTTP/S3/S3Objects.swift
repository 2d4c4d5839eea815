import IMSModel
import IMSService
import NIOCore

/// The service's upload objects as the S3 endpoint asks for them: each refusal in S3's words
/// (`S3Error.init(_: UploadObjectError)`).
struct S3Objects: Sendable {
    let objects: any UploadObjects

    func uploadKey(_ accessKey: String) async throws(S3Error) -> UploadKey? {
        do { return try await objects.uploadKey(accessKey) } catch { throw S3Error(error) }
    }

    func putObject(_ imageId: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(S3Error) -> StoredObject {
        do { return try await objects.putObject(imageId, body: body) } catch { throw S3Error(error) }
    }

    func object(_ imageId: String) async throws(S3Error) -> StoredObject {
        do { return try await objects.object(imageId) } catch { throw S3Error(error) }
    }

    func readObject(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws {
        try await objects.readObject(imageId, range: range, emit)
    }

    func createMultipartUpload(_ imageId: String) async throws(S3Error) -> String {
        do { return try await objects.createMultipartUpload(imageId) } catch { throw S3Error(error) }
    }

    func uploadPart(_ imageId: String, uploadId: String, number: Int, length: Int64?,
                    body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(S3Error) -> StoredPart {
        do {
            return try await objects.uploadPart(imageId, uploadId: uploadId, number: number, length: length, body: body)
        } catch {
            throw S3Error(error)
        }
    }

    func listParts(_ imageId: String, uploadId: String) async throws(S3Error) -> [StoredPart] {
        do { return try await objects.listParts(imageId, uploadId: uploadId) } catch { throw S3Error(error) }
    }

    func checkCompletion(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)]) async throws(S3Error) {
        do { try await objects.checkCompletion(imageId, uploadId: uploadId, parts: parts) } catch { throw S3Error(error) }
    }

    func completeMultipartUpload(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)])
        async throws(S3Error) -> StoredObject
    {
        do { return try await objects.completeMultipartUpload(imageId, uploadId: uploadId, parts: parts) } catch { throw S3Error(error) }
    }

    func abortMultipartUpload(_ imageId: String, uploadId: String) async throws(S3Error) {
        do { try await objects.abortMultipartUpload(imageId, uploadId: uploadId) } catch { throw S3Error(error) }
    }
}
