import AsyncHTTPClient
import Dialects
import Foundation
@testable import GatewayHTTP
import Hummingbird
import HummingbirdTesting
@testable import IMSModel
@testable import IMSRemote
@testable import IMSService
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// `ims-gateway migrate --from` a `remote` legacy gateway: the mixed workload of every dialect
/// recorded on a bundled store served by a gateway, read through its canonical API's export
/// with an operator token marked `export`, copied onto a fresh bundled store in two runs (the
/// first stopped halfway, as a kill leaves it), verified, and its bytes read back.
@Suite struct RemoteMigrationTests {
    static let exportToken = "migrate-export-token"

    /// The shipped config's canonical API with an export token beside the demo one.
    static func exporting(_ gateway: inout TestGateway) {
        gateway.config.canonicalApi.tokens.append(
            ServiceToken(sha256: Secrets.sha256Hex(exportToken), tenants: ["*"], operator: true, export: true))
    }

    /// A `remote` backend on the gateway at `port`, its client closed afterwards.
    static func withRemote<T: Sendable>(port: Int, token: String, _ body: (RemoteBackend) async throws -> T) async throws -> T {
        var options = RemoteBackend.Options(url: "http://127.0.0.1:\(port)", token: token)
        options.requestTimeout = .seconds(60)
        let remote = RemoteBackend(options)
        do {
            let answer = try await body(remote)
            try await remote.client.shutdown()
            return answer
        } catch {
            try? await remote.client.shutdown()
            throw error
        }
    }

    @Test func aRemoteGatewayMigratedInTwoRunsHoldsEveryRecordWithItsIdsAndBytes() async throws {
        try await ContractStores.with(.sqlite) { source in
            var recorder = Recorder(player: Player(source))
            try await ReplayWorkload.run(&recorder)
            var gateway = try TestGateway()
            defer { gateway.remove() }
            Self.exporting(&gateway)
            let app = try buildApplication(gateway.config, parts: GatewayParts(dialects: Dialects.all,
                                                                              backend: CanonicalPair.Unworked(service: Player.service(source, mint: Player.otherMint))),
                                           logger: TestGateway.quietLogger)
            try await app.test(.live) { client in
                try await Self.withRemote(port: try #require(client.port), token: Self.exportToken) { remote in
                let from = try #require(remote.capabilities.migrationSource)
                try await ContractStores.with(.sqlite) { copy in
                    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-remote-\(UUID().uuidString)")
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    defer { try? FileManager.default.removeItem(at: directory) }
                    let checkpoint = directory.appendingPathComponent("checkpoint").path

                    // Stopped after the third batch of images, its checkpoint put back to the
                    // second's: a kill before the third was written down.
                    var first = Migration(source: from, target: copy, checkpoint: checkpoint)
                    first.batch = 7
                    let batches = NIOLockedValueBox(0)
                    first.progress = { progress in
                        guard progress.kind == .images else { return }
                        let n = batches.withLockedValue { $0 += 1; return $0 }
                        if n == 2 { try FileManager.default.copyItem(atPath: checkpoint, toPath: checkpoint + ".second") }
                        if n == 3 { throw MigrationTests.Stop() }
                    }
                    await #expect(throws: MigrationTests.Stop.self) { _ = try await first.run(from: "old", to: "new") }
                    try FileManager.default.removeItem(atPath: checkpoint)
                    try FileManager.default.moveItem(atPath: checkpoint + ".second", toPath: checkpoint)

                    var second = Migration(source: from, target: copy, checkpoint: checkpoint)
                    second.batch = 7
                    let done = try await second.run(from: "old", to: "new")
                    let images = try #require(done.kinds["images"])
                    #expect(images.skipped >= 7, "the batch copied before the stop is found and skipped")
                    #expect(images.bytes > 0, "images with bytes were copied")

                    // Verified through the export, and against the source's own stores: what
                    // crossed the wire is what they hold, ids, times and passwords included.
                    for (name, checks) in [("export", try await second.verify()),
                                           ("stores", try await Migration(source: StoresSource(source), target: copy, checkpoint: checkpoint).verify())] {
                        for check in checks {
                            #expect(check.holds, "\(name) \(check.kind): source \(check.source), target \(check.target), missing \(check.missing.prefix(5)), differing \(check.differing.prefix(5)) \(check.example.map { "\n\($0.source)\n\($0.target)" } ?? "")")
                        }
                        #expect(checks.first { $0.kind == .images }!.source > 40)
                        #expect(checks.first { $0.kind == .instances }!.source > 0)
                        #expect(checks.first { $0.kind == .shares }!.source > 0)
                        #expect(checks.first { $0.kind == .jobs }!.source > 0)
                    }
                    #expect(try await copy.images.images(ImageQuery(limit: 1000), reach: .all).items.contains { !$0.image.password.isEmpty },
                            "default passwords travel: the target stores the same records")

                    // The bytes, read back from the target's file store.
                    var streamed = 0
                    for view in try await source.images.images(ImageQuery(limit: 1000), reach: .all).items {
                        guard let file = try await source.uploads.file(view.image.imageId), file.complete, view.image.status == .active else { continue }
                        var bytes: [UInt8] = []
                        try await copy.bytes.read(view.image.imageId, range: nil) { bytes += $0.readableBytesView }
                        #expect(bytes.count == file.size && md5Hex(bytes) == file.md5, "\(view.image.imageId)'s bytes")
                        streamed += 1
                    }
                    #expect(streamed > 0, "images with bytes were read back")
                }
                }
            }
        }
    }

    /// The export is an operator's bulk read: an ordinary service token (the demo one, an
    /// operator token not marked `export`) gets the canonical 403 and a migration with it
    /// copies nothing; bad paging is a 400.
    @Test func anOrdinaryServiceTokenIsRefusedTheExport() async throws {
        var configured = try TestGateway()
        defer { configured.remove() }
        Self.exporting(&configured)
        let gateway = configured
        try await gateway.run(.live, lane: .bundled) { client in
            let refused = try await client.send(.get, "/ims/v1/export/images", headers: ["Authorization": "Bearer gateway-demo-token"])
            #expect(refused.status == 403 && refused["error"]?["forbidden"] != nil, "\(refused.text)")
            let anonymous = try await client.send(.get, "/ims/v1/export/images", auth: .none)
            #expect(anonymous.status == 401, "\(anonymous.text)")
            let export = ["Authorization": "Bearer \(Self.exportToken)"]
            let counted = try await client.send(.get, "/ims/v1/export/catalogue", query: [("limit", "0")], headers: export)
            #expect(counted.status == 200 && counted["records"] == .array([]), "\(counted.text)")
            guard case .int(let total)? = counted["total"] else { throw GatewayStartError("no total in \(counted.text)") }
            #expect(total > 0, "the seeded catalogue is counted")
            for (path, query) in [("/ims/v1/export/nonsense", [(String, String)]()), ("/ims/v1/export/images", [("limit", "5000")]),
                                  ("/ims/v1/export/images", [("offset", "-1")])] {
                let bad = try await client.send(.get, path, query: query, headers: export)
                #expect(bad.status == 400 && bad["error"]?["invalidParameter"] != nil, "\(path) \(query): \(bad.text)")
            }
        }
        try await ContractStores.with(.sqlite) { copy in
            try await gateway.run(.live, lane: .bundled) { client in
                try await Self.withRemote(port: try #require(client.client.port), token: "gateway-demo-token") { ordinary in
                let checkpoint = gateway.directory.appendingPathComponent("refused.checkpoint").path
                let migration = Migration(source: try #require(ordinary.capabilities.migrationSource), target: copy, checkpoint: checkpoint)
                let error = await #expect(throws: MigrationError.self) { _ = try await migration.run(from: "old", to: "new") }
                #expect(error?.description.contains("HTTP 403") == true && error?.description.contains("may not export") == true,
                        "\(error?.description ?? "")")
                #expect(try await copy.images.images(ImageQuery(limit: 0), reach: .all).total == 0)
                }
            }
        }
    }

    /// `export: true` reads every tenant's records, so only an operator token of every tenant may carry it.
    @Test func anExportTokenMustBeAnOperatorTokenOfEveryTenant() throws {
        for json in [#"{"sha256": "ab", "tenants": ["*"], "export": true}"#, #"{"sha256": "ab", "tenants": ["acme"], "operator": true, "export": true}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(ServiceToken.self, from: Data(json.utf8)) }
        }
        let token = try JSONDecoder().decode(ServiceToken.self, from: Data(#"{"sha256": "AB", "tenants": ["*"], "operator": true, "export": true}"#.utf8))
        #expect(token == ServiceToken(sha256: "ab", tenants: ["*"], operator: true, export: true))
    }
}
