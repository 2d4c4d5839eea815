import NIOConcurrencyHelpers
import NIOCore

/// Byte chunks from a writer that pushes (`FileStore.read`'s emit, a primary reading an upload)
/// to a reader that pulls (`FileStore.store`, a secondary's upload), so bytes cross from one
/// store to another without a file's worth in memory. What a full channel does is the caller's:
/// `.wait` holds the writer until the reader has taken its chunk (a migration's copy, where the
/// writer may wait); `.giveUp` never holds the writer, keeps up to `limit` bytes, and past that
/// ends the reader's sequence with `GaveUp` (a shadow's secondary must not slow the client).
final class ChunkChannel: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    enum WhenFull: Sendable { case wait, giveUp }

    /// The reader fell `limit` bytes behind a writer that does not wait.
    struct GaveUp: Error {}

    fileprivate struct State {
        var chunks: [ByteBuffer] = []
        var held = 0
        /// A waiting writer's chunk not yet taken (`.wait`).
        var sent: CheckedContinuation<Void, any Error>?
        var end: Result<Void, any Error>?
        var reader: CheckedContinuation<ByteBuffer?, any Error>?
        var cancelled = false
    }

    private let state = NIOLockedValueBox(State())
    let limit: Int
    let whenFull: WhenFull

    init(limit: Int = 0, whenFull: WhenFull) {
        self.limit = limit
        self.whenFull = whenFull
    }

    /// `.wait`: returns once the reader has taken `chunk`; throws once the reader has given up.
    func send(_ chunk: ByteBuffer) async throws {
        guard whenFull == .wait else { return offer(chunk) }
        try await withCheckedThrowingContinuation { (sent: CheckedContinuation<Void, any Error>) in
            state.withLockedValue { s in
                if s.cancelled {
                    sent.resume(throwing: CancellationError())
                } else if let reader = s.reader {
                    s.reader = nil
                    reader.resume(returning: chunk)
                    sent.resume()
                } else {
                    s.chunks.append(chunk)
                    s.sent = sent
                }
            }
        }
    }

    /// `.giveUp`: hands `chunk` on or keeps it, never waiting.
    func offer(_ chunk: ByteBuffer) {
        state.withLockedValue { s in
            guard s.end == nil, !s.cancelled else { return }
            if let reader = s.reader {
                s.reader = nil
                reader.resume(returning: chunk)
            } else if s.held + chunk.readableBytes <= limit {
                s.chunks.append(chunk)
                s.held += chunk.readableBytes
            } else {
                s.chunks = []
                s.held = 0
                s.end = .failure(GaveUp())
            }
        }
    }

    /// No more chunks: the reader's sequence ends after those it has not taken (or throws `error`).
    func finish(_ error: (any Error)? = nil) {
        state.withLockedValue { s in
            if s.end == nil { s.end = error.map { .failure($0) } ?? .success(()) }
            guard s.chunks.isEmpty || s.isGivenUp, let reader = s.reader else { return }
            s.reader = nil
            switch s.end! {
            case .success: reader.resume(returning: nil)
            case .failure(let error): reader.resume(throwing: error)
            }
        }
    }

    /// The reader gave up: a waiting writer is told so.
    func cancel() {
        state.withLockedValue { s in
            s.cancelled = true
            s.chunks = []
            s.sent?.resume(throwing: CancellationError())
            s.sent = nil
        }
    }

    /// Whether the reader was left behind (`GaveUp`).
    var gaveUp: Bool { state.withLockedValue { $0.isGivenUp } }

    func next() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { (taken: CheckedContinuation<ByteBuffer?, any Error>) in
            state.withLockedValue { s in
                if s.isGivenUp, let end = s.end, case .failure(let error) = end {
                    taken.resume(throwing: error)
                } else if !s.chunks.isEmpty {
                    let chunk = s.chunks.removeFirst()
                    s.held -= whenFull == .giveUp ? chunk.readableBytes : 0
                    s.sent?.resume()
                    s.sent = nil
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
        let channel: ChunkChannel
        func next() async throws -> ByteBuffer? { try await channel.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}

private extension ChunkChannel.State {
    var isGivenUp: Bool {
        if case .failure(let error)? = end { error is ChunkChannel.GaveUp } else { false }
    }
}
