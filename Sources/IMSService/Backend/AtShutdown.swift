import ServiceLifecycle

/// A service that does one thing when the gateway shuts down: close what a backend holds open
/// (an HTTP client's pooled connections). In the service layer so each backend target that
/// holds a client (remote, glance) uses this one rather than a copy of its own.
package struct AtShutdown: Service {
    let close: @Sendable () async throws -> Void

    package init(_ close: @escaping @Sendable () async throws -> Void) { self.close = close }

    package func run() async throws {
        try? await gracefulShutdown()
        try await close()
    }
}
