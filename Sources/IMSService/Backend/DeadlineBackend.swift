import Foundation
import IMSModel
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A backend whose commands are answered within `timeout`, whatever its database does: a
/// command still running at the deadline is answered with the dialect's 503 (`StoreFault.timedOut`)
/// and left to finish or fail on its own. Within the deadline, a command the database never
/// received is tried again whatever it is, and one whose connection was lost is tried again if
/// running it twice equals running it once (reads, updates to given values): a restart of the
/// database then costs clients a short wait, not an error.
///
/// Why not cancel the command instead: postgres-nio cannot cancel a statement in flight, so a
/// stalled server (SIGSTOP, a hung disk) would hold the caller until TCP gives up; the answer
/// must not wait for the work. Uploads and downloads pass through: their length is the client's.
public struct DeadlineBackend: Backend {
    public let inner: any Backend
    public let timeout: Duration
    /// Between tries, so a database coming back is not hammered by every waiting request.
    let pause: Duration

    /// The inner backend's, with its S3 upload steps under the same deadline (`DeadlineObjects`).
    public let capabilities: BackendCapabilities

    public init(_ inner: any Backend, timeout: Duration, pause: Duration = .milliseconds(100)) {
        self.inner = inner
        self.timeout = timeout
        self.pause = pause
        var capabilities = inner.capabilities
        capabilities.uploadObjects = capabilities.uploadObjects.map { DeadlineObjects(inner: $0, step: StepDeadline(timeout: timeout, pause: pause)) }
        self.capabilities = capabilities
    }

    public var services: [any Service] { inner.services }
    public func unreadiness() async -> String? { await inner.unreadiness() }
    public var forwardsRequestContext: Bool { inner.forwardsRequestContext }

    public func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult {
        try await bounded(command.traits.isIdempotent) { [inner] () async throws(CanonicalError) -> CommandResult in
            try await inner.execute(command, as: identity)
        }
    }

    public func execute(_ command: Command, as identity: Identity, minted: Minted?) async throws(CanonicalError) -> Executed {
        try await bounded(command.traits.isIdempotent) { [inner] () async throws(CanonicalError) -> Executed in
            try await inner.execute(command, as: identity, minted: minted)
        }
    }

    /// The time an upload spends on the database is bounded, not the time its bytes take: the
    /// checks before the first byte is read and the record after the last one share `timeout`.
    public func upload(imageId: String, token: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable)
        async throws(CanonicalError) -> UploadTicket
    {
        let watch = BodyWatch()
        let watched = WatchedBody(base: body, watch: watch)
        let (inner, timeout, pause) = (inner, timeout, pause)
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Result<UploadTicket, CanonicalError>, Never>) in
            let answer = FirstAnswer(continuation)
            let work = Task {
                do throws(CanonicalError) {
                    answer.give(.success(try await inner.upload(imageId: imageId, token: token, body: watched)))
                } catch {
                    answer.give(.failure(error))
                }
            }
            let timer = Task {
                // Looked at often (an upload is rare beside other requests): the answer is late by at most this.
                let every = min(pause, timeout / 40)
                while !Task.isCancelled {
                    try? await Task.sleep(for: every)
                    if watch.idle(longerThan: timeout) {
                        if answer.give(.failure(StoreFault.timedOut)) { work.cancel() }
                        return
                    }
                }
            }
            answer.whenGiven { timer.cancel() }
        }
        return try outcome.get()
    }

    /// The lookup is bounded and retried as a read; the bytes then stream at the client's pace.
    public func download(_ selector: ImageSelector, as identity: Identity) async throws(CanonicalError) -> ImageDownload {
        try await bounded(true) { [inner] () async throws(CanonicalError) -> ImageDownload in
            try await inner.download(selector, as: identity)
        }
    }

    /// Whether `error` after a try leaves a retry safe: `idempotent` when a second run changes
    /// nothing the first did not.
    static func retryable(_ error: CanonicalError, idempotent: Bool) -> Bool {
        error == StoreFault.unreached || (error == StoreFault.lost && idempotent)
    }

    private func bounded<T: Sendable>(_ idempotent: Bool, _ run: @escaping @Sendable () async throws(CanonicalError) -> T)
        async throws(CanonicalError) -> T
    {
        try await Self.bounded(timeout: timeout, pause: pause, idempotent: idempotent, run)
    }

    /// The tries run in a task of their own (inheriting the request's task-locals: minted values,
    /// request id, idempotency key); the caller is answered by whichever comes first, their
    /// outcome or the deadline.
    static func bounded<T: Sendable>(timeout: Duration, pause: Duration, idempotent: Bool,
                                     _ run: @escaping @Sendable () async throws(CanonicalError) -> T)
        async throws(CanonicalError) -> T
    {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, CanonicalError>, Never>) in
            let answer = FirstAnswer(continuation)
            let work = Task {
                var result: Result<T, CanonicalError>
                while true {
                    do throws(CanonicalError) { result = .success(try await run()) } catch { result = .failure(error) }
                    guard case .failure(let error) = result, Self.retryable(error, idempotent: idempotent),
                          NIODeadline.now() + TimeAmount(pause) < deadline, !Task.isCancelled else { break }
                    try? await Task.sleep(for: pause)
                }
                answer.give(result)
            }
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(deadline: deadline) {
                if answer.give(.failure(StoreFault.timedOut)) { work.cancel() }
            }
            answer.whenGiven { timer.cancel() }
        }
        return try outcome.get()
    }
}

/// The first of several outcomes resumes the caller; the rest are dropped.
private final class FirstAnswer<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<T, CanonicalError>, Never>?
        var then: (@Sendable () -> Void)?
    }
    private let state: NIOLockedValueBox<State>

    init(_ continuation: CheckedContinuation<Result<T, CanonicalError>, Never>) {
        state = NIOLockedValueBox(State(continuation: continuation))
    }

    /// Resumes the caller with `outcome` unless it was resumed already; answers whether it was this one.
    @discardableResult
    func give(_ outcome: Result<T, CanonicalError>) -> Bool {
        let (continuation, then) = state.withLockedValue { state in
            defer { state.continuation = nil; state.then = nil }
            return (state.continuation, state.then)
        }
        guard let continuation else { return false }
        continuation.resume(returning: outcome)
        then?()
        return true
    }

    /// Runs `body` once an outcome is given (now, if one was).
    func whenGiven(_ body: @escaping @Sendable () -> Void) {
        let given = state.withLockedValue { state in
            if state.continuation == nil { return true }
            state.then = body
            return false
        }
        if given { body() }
    }
}

/// Where an upload is: before its first byte is asked for, streaming, or past its last byte.
/// Only the first and last are the database's time, and they add up.
private final class BodyWatch: Sendable {
    private enum Phase { case before(ContinuousClock.Instant), streaming(spent: Duration), after(ContinuousClock.Instant, spent: Duration) }
    private let phase = NIOLockedValueBox(Phase.before(.now))

    func asked() { phase.withLockedValue { if case .before(let since) = $0 { $0 = .streaming(spent: .now - since) } } }
    func ended() {
        phase.withLockedValue {
            switch $0 {
            case .before(let since): $0 = .after(.now, spent: .now - since)
            case .streaming(let spent): $0 = .after(.now, spent: spent)
            case .after: break
            }
        }
    }

    func idle(longerThan limit: Duration) -> Bool {
        switch phase.withLockedValue({ $0 }) {
        case .before(let since): ContinuousClock.now - since > limit
        case .streaming: false
        case .after(let since, let spent): spent + (ContinuousClock.now - since) > limit
        }
    }
}

/// An upload's body that tells its `BodyWatch` when it is first asked for and when it ends.
private struct WatchedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let watch: BodyWatch

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let watch: BodyWatch

        mutating func next() async throws -> ByteBuffer? {
            watch.asked()
            do {
                guard let chunk = try await base.next() else {
                    watch.ended()
                    return nil
                }
                return chunk
            } catch {
                watch.ended()
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), watch: watch) }
}
