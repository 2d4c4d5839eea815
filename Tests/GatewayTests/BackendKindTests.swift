import Foundation
@testable import GatewayHTTP
@testable import IMSRemote
@testable import IMSStoreSQLite
import Testing
import Yams

/// Backends are entries of `backends:`, each kind built by one factory; a kind it does not know
/// stops the start with a message naming the known ones.
@Suite struct BackendKindTests {
    @Test func anUnknownKindIsRefusedNamingTheKnownOnes() throws {
        let yaml = "backends: {local: {kind: cassandra, path: x.sqlite}}\nuse: local\n"
        do {
            _ = try YAMLDecoder().decode(GatewayConfig.self, from: yaml)
            Issue.record("a config naming kind cassandra loaded")
        } catch {
            #expect("\(error)".contains("unknown backend kind 'cassandra' (known: \(BackendKind.known))"))
        }
        #expect(BackendKind.known == "sqlite, postgres, remote, glance, shadow")
    }

    @Test func theDefaultIsTheServiceOverSQLite() throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        #expect(GatewayConfig().use == "local" && GatewayConfig().backendInUse.kind == .sqlite)
        if TestGateway.Lane.current == .bundled { #expect(try BackendFactory.open(gateway.config).main is BundledBackend) }
    }

    @Test func useMustNameAnEntry() throws {
        do {
            _ = try YAMLDecoder().decode(GatewayConfig.self, from: "backends: {a: {kind: sqlite}, b: {kind: sqlite}}\nuse: c\n")
            Issue.record("use: c loaded")
        } catch {
            #expect("\(error)".contains("use: no backend named 'c' under backends: (known: a, b)"))
        }
        do {
            _ = try YAMLDecoder().decode(GatewayConfig.self, from: "backends: {a: {kind: sqlite}, b: {kind: sqlite}}\n")
            Issue.record("two backends and no use: loaded")
        } catch {
            #expect("\(error)".contains("use: names the backend"))
        }
        // One entry needs no `use:`.
        #expect(try YAMLDecoder().decode(GatewayConfig.self, from: "backends: {only: {kind: sqlite}}\n").use == "only")
    }

    @Test func aRemoteBackendReportsThatUploadsGoToItsGateway() async throws {
        var entry = BackendEntry(kind: .remote)
        entry.url = "http://127.0.0.1:1"
        entry.token = "t"
        var config = GatewayConfig()
        config.backends = ["old": entry]
        config.use = "old"
        let graph = try BackendFactory.open(config)
        #expect(graph.main.capabilities.uploadObjectsAt == "http://127.0.0.1:1")
        #expect(graph.main.capabilities.uploadObjects == nil)
        try await (graph.main as? RemoteBackend)?.client.shutdown()
    }
}
