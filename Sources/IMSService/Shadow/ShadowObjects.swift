import Foundation
import IMSModel
import NIOCore

/// The S3 endpoint's objects under a shadow: each step runs on the primary, whose answer the
/// client gets, and is queued for the secondary with the values the primary minted (the
/// multipart upload's id, the times), in the primary's order, as the shadow's commands are. An
/// object's or a part's bytes are read once and streamed to both (`MirroredObjectStep`): the
/// client never waits on the secondary, which gives its copy up past 8 MiB behind. Reads (keys,
/// objects, parts) are the primary's.
struct ShadowObjects: UploadObjects {
    let shadow: ShadowBackend
    /// The primary's objects; the secondary's are the worker's (`compareObjectStep`).
    let primary: any UploadObjects

    func uploadKey(_ accessKey: String) async throws(UploadObjectError) -> UploadKey? {
        try await primary.uploadKey(accessKey)
    }

    func putObject(_ imageId: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(UploadObjectError) -> StoredObject {
        try await streamed(imageId, "s3.putObject", run: { objects, chunks throws(UploadObjectError) in
            try await objects.putObject(imageId, body: chunks).json
        }) { offered throws(UploadObjectError) in
            try await primary.putObject(imageId, body: body.map(offered))
        }
    }

    func object(_ imageId: String) async throws(UploadObjectError) -> StoredObject {
        try await primary.object(imageId)
    }

    func readObject(_ imageId: String, range: ClosedRange<Int64>?, _ emit: ImageDownload.Emit) async throws {
        try await primary.readObject(imageId, range: range, emit)
    }

    func createMultipartUpload(_ imageId: String) async throws(UploadObjectError) -> String {
        try await mirrored(imageId, "s3.createMultipartUpload", run: { objects throws(UploadObjectError) in
            .string(try await objects.createMultipartUpload(imageId))
        }) { () throws(UploadObjectError) in
            try await primary.createMultipartUpload(imageId)
        }
    }

    func uploadPart(_ imageId: String, uploadId: String, number: Int, length: Int64?,
                    body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws(UploadObjectError) -> StoredPart {
        try await streamed(imageId, "s3.uploadPart", run: { objects, chunks throws(UploadObjectError) in
            try await objects.uploadPart(imageId, uploadId: uploadId, number: number, length: length, body: chunks).json
        }) { offered throws(UploadObjectError) in
            try await primary.uploadPart(imageId, uploadId: uploadId, number: number, length: length, body: body.map(offered))
        }
    }

    func listParts(_ imageId: String, uploadId: String) async throws(UploadObjectError) -> [StoredPart] {
        try await primary.listParts(imageId, uploadId: uploadId)
    }

    func checkCompletion(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)]) async throws(UploadObjectError) {
        try await primary.checkCompletion(imageId, uploadId: uploadId, parts: parts)
    }

    func completeMultipartUpload(_ imageId: String, uploadId: String, parts: [(number: Int, etag: String)])
        async throws(UploadObjectError) -> StoredObject
    {
        try await mirrored(imageId, "s3.completeMultipartUpload", run: { objects throws(UploadObjectError) in
            try await objects.completeMultipartUpload(imageId, uploadId: uploadId, parts: parts).json
        }) { () throws(UploadObjectError) in
            try await primary.completeMultipartUpload(imageId, uploadId: uploadId, parts: parts)
        }
    }

    func abortMultipartUpload(_ imageId: String, uploadId: String) async throws(UploadObjectError) {
        try await mirrored(imageId, "s3.abortMultipartUpload", run: { objects throws(UploadObjectError) in
            try await objects.abortMultipartUpload(imageId, uploadId: uploadId)
            return .null
        }) { () throws(UploadObjectError) in
            try await primary.abortMultipartUpload(imageId, uploadId: uploadId)
        }
    }

    /// A step without bytes: run on the primary, then, once it has succeeded, queued for the
    /// secondary with what it minted. One the primary refused changed nothing there, so it is
    /// not mirrored (as a refused command is not). The image is pending from before the primary
    /// runs it, as a command's objects are: a comparison reading it back meanwhile would see the
    /// primary ahead of the secondary.
    private func mirrored<T: Sendable>(_ imageId: String, _ operation: String,
                                       run: @escaping @Sendable (any UploadObjects) async throws(UploadObjectError) -> JSONValue,
                                       onPrimary: () async throws(UploadObjectError) -> T) async throws(UploadObjectError) -> T {
        let key: Set<String> = ["image:" + imageId]
        shadow.hold(key)
        let minting = Minting(nil)
        let answer: T
        do {
            answer = try await Minting.$current.withValue(minting) { try await onPrimary() }
        } catch {
            shadow.release(key)
            throw error as? UploadObjectError ?? .internalError
        }
        let step = MirroredObjectStep(imageId: imageId, run: run)
        step.answered(.success(Self.json(answer)), minted: minting.minted)
        shadow.enqueue(step, operation: operation, held: true)
        return answer
    }

    /// A step that stores bytes: queued before the primary reads them, so the secondary reads
    /// each chunk as the primary stores it (`offered` hands it on without waiting).
    private func streamed<T: Sendable>(_ imageId: String, _ operation: String,
                                       run: @escaping @Sendable (any UploadObjects, ChunkChannel) async throws(UploadObjectError) -> JSONValue,
                                       onPrimary: (_ offered: @escaping @Sendable (ByteBuffer) -> ByteBuffer) async throws(UploadObjectError) -> T)
        async throws(UploadObjectError) -> T
    {
        let chunks = MirroredUpload.channel()
        let step = MirroredObjectStep(imageId: imageId, chunks: chunks, streaming: run)
        if !shadow.enqueue(step, operation: operation) { chunks.finish(UploadObjectError.internalError) }
        let minting = Minting(nil)
        do {
            let answer = try await Minting.$current.withValue(minting) {
                try await onPrimary { chunk in
                    chunks.offer(chunk)
                    return chunk
                }
            }
            // Left for the worker before the bytes end: the secondary's step ends with them.
            step.answered(.success(Self.json(answer)), minted: minting.minted)
            chunks.finish()
            return answer
        } catch {
            let error = error as? UploadObjectError ?? .internalError
            step.answered(.failure(error), minted: minting.minted)
            chunks.finish(error)
            throw error
        }
    }

    /// An answer as the comparison reads it.
    static func json(_ answer: some Sendable) -> JSONValue {
        switch answer {
        case let object as StoredObject: object.json
        case let part as StoredPart: part.json
        case let text as String: .string(text)
        default: .null
        }
    }
}

extension StoredObject {
    /// The fields a shadow compares, by the names S3 gives them.
    var json: JSONValue {
        .object(["size": .int(size), "etag": .string(etag), "modified": .double(modified.timeIntervalSinceReferenceDate)])
    }
}

extension StoredPart {
    var json: JSONValue {
        .object(["partNumber": .int(Int64(number)), "size": .int(size), "etag": .string(md5),
                 "modified": .double(modified.timeIntervalSinceReferenceDate)])
    }
}

extension UploadObjectError {
    /// The refusal's name, to compare two sides' outcomes.
    var name: String {
        switch self {
        case .noSuchKey: "noSuchKey"
        case .noSuchUpload: "noSuchUpload"
        case .tooLarge: "tooLarge"
        case .partNumberOutOfRange: "partNumberOutOfRange"
        case .partsOutOfOrder: "partsOutOfOrder"
        case .unknownPart: "unknownPart"
        case .incompleteBody: "incompleteBody"
        case .internalError: "internalError"
        case .canonical(let error): error.kind
        case .refusedBody: "refusedBody"
        }
    }
}
