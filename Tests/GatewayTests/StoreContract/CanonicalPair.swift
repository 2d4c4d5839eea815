import Dialects
import Foundation
@testable import GatewayHTTP
import Hummingbird
import HummingbirdTesting
@testable import IMSModel
@testable import IMSRemote
@testable import IMSService
import NIOCore
import ServiceLifecycle
import Testing

/// A remote pair as `TestGateway.run` builds the remote lane: a gateway (the shipped config)
/// whose backend is `service`, and a gateway in front of it (`kind: remote`) reaching it over
/// its canonical API. `body` gets a `RemoteBackend` on the front's canonical API, so each
/// command and its `Minted` cross both gateways' canonical wire, there and back.
enum CanonicalPair {
    static func run<T: Sendable>(_ service: GatewayService, _ body: @escaping @Sendable (RemoteBackend) async throws -> T) async throws -> T {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let back = try buildApplication(gateway.config, parts: GatewayParts(dialects: Dialects.all, backend: Unworked(service: service)),
                                        logger: TestGateway.quietLogger)
        return try await back.test(.live) { backClient in
            let frontConfig = gateway.frontConfig(backendPort: try #require(backClient.port))
            let front = try buildApplication(frontConfig, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
            return try await front.test(.live) { frontClient in
                var options = RemoteBackend.Options(url: "http://127.0.0.1:\(try #require(frontClient.port))", token: "gateway-demo-token")
                options.requestTimeout = .seconds(60)
                let caller = RemoteBackend(options)
                do {
                    let answer = try await body(caller)
                    try await caller.client.shutdown()
                    return answer
                } catch {
                    try? await caller.client.shutdown()
                    throw error
                }
            }
        }
    }

    /// The service without its job worker: the tape's job turns run its jobs, each handed the
    /// values it was recorded with.
    struct Unworked: Backend {
        let service: GatewayService

        func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult {
            try await service.execute(command, as: identity)
        }

        func execute(_ command: Command, as identity: Identity, minted: Minted?) async throws(CanonicalError) -> Executed {
            try await service.execute(command, as: identity, minted: minted)
        }

        func upload(imageId: String, token: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable)
            async throws(CanonicalError) -> UploadTicket { try await service.upload(imageId: imageId, token: token, body: body) }

        func download(_ selector: ImageSelector, as identity: Identity) async throws(CanonicalError) -> ImageDownload {
            try await service.download(selector, as: identity)
        }

        var services: [any Service] { [] }
        func unreadiness() async -> String? { nil }
        /// Its stores, which the canonical API's export reads (`RemoteMigrationTests`).
        var capabilities: BackendCapabilities { BackendCapabilities(records: (service.stores, [])) }
    }
}
