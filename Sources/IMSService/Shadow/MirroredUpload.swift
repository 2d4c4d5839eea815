import IMSModel
import NIOConcurrencyHelpers
import NIOCore

/// An upload's bytes on their way to a shadow's secondary while the primary stores them: each
/// chunk the primary reads is handed here too, never waited for. The chunks not yet taken by
/// the secondary are held up to `limit` bytes; past that the secondary's copy is given up (its
/// upload fails, the image is marked as a missed write) rather than holding a file in memory
/// or slowing the client's upload.
final class MirroredUpload: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    struct Overflow: Error {}

    let imageId: String
    let token: String
    let limit: Int

    private struct State {
        var chunks: [ByteBuffer] = []
        var held = 0
        var end: Result<Void, any Error>?
        var reader: CheckedContinuation<ByteBuffer?, any Error>?
    }

    private let state = NIOLockedValueBox(State())

    init(imageId: String, token: String, limit: Int = 8 << 20) {
        self.imageId = imageId
        self.token = token
        self.limit = limit
    }

    /// The primary read `chunk`: the secondary gets it too, unless it has fallen `limit` behind.
    func offer(_ chunk: ByteBuffer) {
        state.withLockedValue { s in
            guard s.end == nil else { return }
            if let reader = s.reader {
                s.reader = nil
                reader.resume(returning: chunk)
                return
            }
            guard s.held + chunk.readableBytes <= limit else {
                s.chunks = []
                s.held = 0
                s.end = .failure(Overflow())
                return
            }
            s.chunks.append(chunk)
            s.held += chunk.readableBytes
        }
    }

    /// The primary's upload ended (with `error` when it failed): so does the secondary's.
    func finish(_ error: (any Error)? = nil) {
        state.withLockedValue { s in
            if s.end == nil { s.end = error.map { .failure($0) } ?? .success(()) }
            guard let reader = s.reader else { return }
            s.reader = nil
            switch s.end! {
            case .success: reader.resume(returning: nil)
            case .failure(let error): reader.resume(throwing: error)
            }
        }
    }

    /// Whether the secondary's copy was given up for falling behind.
    var overflowed: Bool {
        state.withLockedValue { if case .failure(let e)? = $0.end { e is Overflow } else { false } }
    }

    func next() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { (taken: CheckedContinuation<ByteBuffer?, any Error>) in
            state.withLockedValue { s in
                if case .failure(let error)? = s.end, error is Overflow {
                    taken.resume(throwing: error)
                } else if !s.chunks.isEmpty {
                    let chunk = s.chunks.removeFirst()
                    s.held -= chunk.readableBytes
                    taken.resume(returning: chunk)
                } else if let end = s.end {
                    switch end {
                    case .success: taken.resume(returning: nil)
                    case .failure(let error): taken.resume(throwing: error)
                    }
                } else {
                    s.reader = taken
                }
            }
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let upload: MirroredUpload
        func next() async throws -> ByteBuffer? { try await upload.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(upload: self) }
}
