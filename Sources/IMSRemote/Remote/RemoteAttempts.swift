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
func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try? await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineExceeded() }
        return value
    }
}
