import IMSModel
import NIOConcurrencyHelpers

/// One step of the S3 endpoint's objects (an object, a part, a multipart upload's start,
/// completion or abort) on its way to a shadow's secondary (`ShadowObjects`). A step that
/// stores bytes streams them as `MirroredUpload` does: each chunk the primary reads is offered
/// here, never waited for, up to 8 MiB held while the secondary is behind, past that its copy is
/// given up and the image marked as a missed write. The primary's answer and the values it
/// minted are left here for the worker, which runs the step on the secondary with them and
/// compares both answers.
final class MirroredObjectStep: Sendable {
    typealias Answer = Result<JSONValue, UploadObjectError>

    let imageId: String
    /// The bytes, for a step that stores some.
    let chunks: ChunkChannel?
    /// The step on the secondary's objects, reading `chunks` when it stores bytes.
    let run: @Sendable (any UploadObjects) async throws(UploadObjectError) -> JSONValue
    private let primary = NIOLockedValueBox<(answer: Answer, minted: Minted)?>(nil)

    /// A step without bytes.
    init(imageId: String, run: @escaping @Sendable (any UploadObjects) async throws(UploadObjectError) -> JSONValue) {
        self.imageId = imageId
        chunks = nil
        self.run = run
    }

    /// A step that stores the bytes it reads from `chunks` (`MirroredUpload.channel()`).
    init(imageId: String, chunks: ChunkChannel,
         streaming run: @escaping @Sendable (any UploadObjects, ChunkChannel) async throws(UploadObjectError) -> JSONValue) {
        self.imageId = imageId
        self.chunks = chunks
        self.run = { objects throws(UploadObjectError) in try await run(objects, chunks) }
    }

    /// The primary has answered: left before its bytes end, as the secondary's step ends with them.
    func answered(_ answer: Answer, minted: Minted) {
        primary.withLockedValue { $0 = (answer, minted) }
    }

    var primaryAnswer: Answer? { primary.withLockedValue { $0?.answer } }
    var primaryMinted: Minted? { primary.withLockedValue { $0?.minted } }
}
