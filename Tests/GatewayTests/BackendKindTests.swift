import Foundation
@testable import GatewayCore
import Testing

/// The backend is chosen by an exhaustive switch over `BackendKind`; a kind it does not know
/// stops the start with a message naming the known ones.
@Suite struct BackendKindTests {
    @Test func anUnknownKindIsRefusedNamingTheKnownOnes() throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        gateway.config.backend.kind = "glance"
        #expect(throws: GatewayStartError.self) { try makeBackend(gateway.config) }
        do {
            _ = try makeBackend(gateway.config)
        } catch {
            #expect("\(error)" == "unknown backend kind 'glance' (known: \(BackendKind.known))")
        }
        #expect(["bundled", "remote"].allSatisfy { BackendKind.known.contains($0) })
    }

    @Test func theDefaultKindIsTheServiceOverSQLite() throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        #expect(BackendKind(rawValue: gateway.config.backend.kind) == .bundled)
        #expect(try makeBackend(gateway.config) is BundledBackend)
    }
}
