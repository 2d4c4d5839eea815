import IMSModel
import NIOConcurrencyHelpers
import NIOCore

/// Hands chunks from a writer that pushes (`FileStore.read`'s emit) to a reader that pulls
/// (`FileStore.store`'s sequence), one chunk at a time: the writer waits until the reader has
/// taken the last one, so a copy between two stores holds one chunk in memory, never a file.
final class ByteHandoff: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    private struct State {
        var reader: CheckedContinuation<ByteBuffer?, any Error>?
        var pending: (ByteBuffer, CheckedContinuation<Void, any Error>)?
        var end: Result<Void, any Error>?
        var cancelled = false
    }

    private let state = NIOLockedValueBox(State())

    static func make() -> (ByteHandoff, ByteHandoff) {
        let handoff = ByteHandoff()
        return (handoff, handoff)
    }

    /// Waits until the reader takes `chunk`; throws once the reader has given up.
    func send(_ chunk: ByteBuffer) async throws {
        try await withCheckedThrowingContinuation { (sent: CheckedContinuation<Void, any Error>) in
            state.withLockedValue { s in
                if s.cancelled {
                    sent.resume(throwing: CancellationError())
                } else if let reader = s.reader {
                    s.reader = nil
                    reader.resume(returning: chunk)
                    sent.resume()
                } else {
                    s.pending = (chunk, sent)
                }
            }
        }
    }

    /// No more chunks: the reader's sequence ends (or throws `error`).
    func finish(throwing error: (any Error)?) {
        state.withLockedValue { s in
            s.end = error.map { .failure($0) } ?? .success(())
            guard let reader = s.reader else { return }
            s.reader = nil
            if let error { reader.resume(throwing: error) } else { reader.resume(returning: nil) }
        }
    }

    /// The reader gave up: a waiting writer is told so.
    func cancel() {
        state.withLockedValue { s in
            s.cancelled = true
            if let (_, sent) = s.pending {
                s.pending = nil
                sent.resume(throwing: CancellationError())
            }
        }
    }

    func next() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { (taken: CheckedContinuation<ByteBuffer?, any Error>) in
            state.withLockedValue { s in
                if let (chunk, sent) = s.pending {
                    s.pending = nil
                    sent.resume()
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
        let handoff: ByteHandoff
        func next() async throws -> ByteBuffer? { try await handoff.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handoff: self) }
}
