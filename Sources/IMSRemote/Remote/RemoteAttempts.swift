import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// What became of a remote call that got no usable answer: whether the backend may have
/// received the command. A refused connection means it did not; a timeout or a broken or
/// garbled answer means it may have run it.
final class RemoteAttempts: Sendable {
    private struct State {
        var maybeReceived = false
        var inFlight = false
        var lastError: String?
    }

    private let state = Mutex(State())

    /// Whether the command may have reached the backend (the answer to a mutation is then unknown).
    var maybeReceived: Bool { state.withLock { $0.maybeReceived || $0.inFlight } }
    var lastError: String? { state.withLock { $0.lastError } }

    func starting() { state.withLock { $0.inFlight = true } }

    func failed(_ error: any Error) {
        let refused = Self.isConnectFailure(error)
        state.withLock {
            $0.inFlight = false
            $0.maybeReceived = $0.maybeReceived || !refused
            $0.lastError = "\(error)"
        }
    }

    /// Errors raised before a connection existed, so before any byte of the command was sent.
    static func isConnectFailure(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? HTTPClientError { return error == .connectTimeout }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError { return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) }
        return false
    }
}

/// The answer did not come before the call's deadline.
struct DeadlineExceeded: Error {}

/// Runs `body`, cancelling it at `deadline`: one deadline for a whole call, its retries and the
/// reading of its answer included (the HTTP client's own deadline ends once the head arrives).
///
/// One task and an event loop timer: a task group racing `Task.sleep` cost a second child task
/// and a Dispatch timer (armed on another thread, then cancelled) per call, ~8% of a remote
/// front's CPU per GET in a profile. Task-local values (the request id, the idempotency key)
/// pass to the task as they did to the group's child; `executor` is where it runs (an
/// unstructured task does not inherit its caller's preference).
func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant, on executor: (any TaskExecutor)? = nil,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let task = Task(executorPreference: executor) { try await body() }
    let expired = DeadlineFlag()
    let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
    let timer = loop.scheduleTask(in: TimeAmount(deadline - .now)) {
        expired.fire()
        task.cancel()
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        do {
            return try await task.value
        } catch {
            if expired.fired { throw DeadlineExceeded() }
            throw error
        }
    } onCancel: {
        task.cancel()
    }
}

/// Whether a call's deadline came (set on the timer's event loop, read by the caller).
private final class DeadlineFlag: Sendable {
    private let state = Atomic(false)
    var fired: Bool { state.load(ordering: .acquiring) }
    func fire() { state.store(true, ordering: .releasing) }
}
