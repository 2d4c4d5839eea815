import IMSModel
import NIOCore

/// The deadline of one store step of an S3 upload call. Such a call cannot be bounded whole the
/// way `DeadlineBackend` bounds a command: between its store steps it streams a part or joins
/// the parts of a file, for as long as the file takes. So `DeadlineObjects` names the deadline
/// for the call's task, and the service bounds each store step by it (`GatewayService.s3`).
public struct StepDeadline: Sendable {
    public var timeout: Duration
    public var pause: Duration

    @TaskLocal public static var current: StepDeadline?

    /// Runs one store step within the deadline. Tried again only when the database never got it
    /// (a step may be a write), as `DeadlineBackend` does for a command that is not idempotent.
    func run<T: Sendable>(_ step: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = try await DeadlineBackend.bounded(timeout: timeout, pause: pause, idempotent: false) {
            () async throws(CanonicalError) -> Result<T, any Error> in
            do {
                return .success(try await step())
            } catch let error as CanonicalError {
                throw error
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}

/// A backend's S3 upload objects whose store steps answer within the backend's deadline: a
/// stalled database gets the client S3's 503 at the deadline, not a hang until it wakes.
struct DeadlineObjects: UploadObjects {
    let inner: any UploadObjects
    let step: StepDeadline

    /// Runs `call` with the step deadline set; its refusals pass through as they are.
    private func bounded<T>(_ call: () async throws(UploadObjectError) -> T) async throws(UploadObjectError) -> T {
        do {
            return try await StepDeadline.$current.withValue(step) { try await call() }
        } catch let error as UploadObjectError {
            throw error
        } catch {
            throw .internalError
        }
    }

    func uploadKey(_ accessKey: String) async throws(UploadObjectError) -> UploadKey? {
        try await bounded { () async throws(UploadObjectError) in try await inner.uploadKey(accessKey) }
    }

    func putObject(_ imageId: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(UploadObjectError) -> StoredObject {
        try await bounded { () async throws(UploadObjectError) in try await inner.putObject(imageId, body: body) }
    }

    func object(_ imageId: String) async throws(UploadObjectError) -> StoredObject {
        try await bounded { () async throws(UploadObjectError) in try await inner.object(imageId) }
    }

    func readObject(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws {
        try await StepDeadline.$current.withValue(step) { try await inner.readObject(imageId, range: range, emit) }
    }

    func createMultipartUpload(_ imageId: String) async throws(UploadObjectError) -> String {
        try await bounded { () async throws(UploadObjectError) in try await inner.createMultipartUpload(imageId) }
    }

    func uploadPart(_ imageId: String, uploadId: String, number: Int, length: Int64?,
                    body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(UploadObjectError) -> StoredPart {
        try await bounded { () async throws(UploadObjectError) in
            try await inner.uploadPart(imageId, uploadId: uploadId, number: number, length: length, body: body)
        }
    }

    func listParts(_ imageId: String, uploadId: String) async throws(UploadObjectError) -> [StoredPart] {
        try await bounded { () async throws(UploadObjectError) in try await inner.listParts(imageId, uploadId: uploadId) }
    }

    func checkCompletion(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)]) async throws(UploadObjectError) {
        try await bounded { () async throws(UploadObjectError) in try await inner.checkCompletion(imageId, uploadId: uploadId, parts: parts) }
    }

    func completeMultipartUpload(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)])
        async throws(UploadObjectError) -> StoredObject
    {
        try await bounded { () async throws(UploadObjectError) in
            try await inner.completeMultipartUpload(imageId, uploadId: uploadId, parts: parts)
        }
    }

    func abortMultipartUpload(_ imageId: String, uploadId: String) async throws(UploadObjectError) {
        try await bounded { () async throws(UploadObjectError) in try await inner.abortMultipartUpload(imageId, uploadId: uploadId) }
    }
}
