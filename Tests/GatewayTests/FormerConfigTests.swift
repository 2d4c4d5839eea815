import Dialects
import Foundation
@testable import GatewayHTTP
import Testing

/// The config has one form and one casing: a file in a former one (the `backend:` section,
/// `kind: bundled`, camelCase keys) is refused at start with the line to write, and
/// `config upgrade` prints it in the current form.
@Suite struct FormerConfigTests {
    /// A config as they were written before the backend graph (the shipped one's shape).
    static let former = """
        listen:
          host: 127.0.0.1
          port: 8080
          idleTimeoutSeconds: 12        # between requests
          bodyReadTimeoutSeconds: 13

        backend:
          kind: bundled                 # SQLite in this process
          dataPath: ../data/ims.sqlite
          # kind: remote

        # Other backends, picked with use:
        backends:
          postgres:
            kind: postgres
            url_env: IMS_PG_URL

        auth:
          cacheTtlSeconds: 61
          replayMaxEntries: 99
        canonical_api:
          idempotencyWindowSeconds: 3601
        users:
          - {id: 1, username: zhang, avatarUrl: "http://a/b.png"}
        export:
          buckets:
            - {name: hello1, azId: AZ0, cellId: ecs49}
        imports:
          allowedHosts: [images.example.com]

        """

    @Test func aFormerConfigIsRefusedNamingEachLineAndWhatToWrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("former-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ims-gateway.yaml").path
        try Self.former.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try GatewayConfig.load(path: path)
            Issue.record("a former config loaded")
        } catch {
            let lines = "\(error)".split(separator: "\n").map(String.init)
            #expect(lines == [
                "\(path):4: listen.idleTimeoutSeconds is no longer read; write idle_timeout_seconds",
                "\(path):5: listen.bodyReadTimeoutSeconds is no longer read; write body_read_timeout_seconds",
                "\(path):7: backend: is no longer read; write backends: {local: {…}}; use: local (one form for one thing: every backend is an entry of backends:)",
                "\(path):8: backend.kind: bundled is no longer read; write sqlite",
                "\(path):9: backend.dataPath is no longer read; write path",
                "\(path):19: auth.cacheTtlSeconds is no longer read; write cache_ttl_seconds",
                "\(path):20: auth.replayMaxEntries is no longer read; write replay_max_entries",
                "\(path):22: canonical_api.idempotencyWindowSeconds is no longer read; write idempotency_window_seconds",
                "\(path):29: imports.allowedHosts is no longer read; write allowed_hosts",
                "(`ims-gateway config upgrade \(path)` prints the whole file in the current form)",
            ])
        }
        // `config check` says the same, file and line first.
        let problems = ConfigCheck.run(path: path, compiled: Dialects.all)
        #expect(problems.first.map(String.init(describing:)) == "\(path):4: listen.idleTimeoutSeconds is no longer read; write idle_timeout_seconds")
    }

    @Test func upgradeWritesTheCurrentFormKeepingCommentsAndData() throws {
        let upgraded = FormerConfig.upgrade(Self.former)
        #expect(FormerConfig.findings(in: upgraded).isEmpty, "\(upgraded)")
        #expect(upgraded.contains("  idle_timeout_seconds: 12        # between requests"))
        #expect(upgraded.contains("""
            backends:
              local:
                kind: sqlite                 # SQLite in this process
                path: ../data/ims.sqlite
                # kind: remote
              postgres:
            """))
        #expect(upgraded.contains("# Other backends, picked with use:"))
        // The dialects' own field names stay as they are.
        #expect(upgraded.contains("avatarUrl: \"http://a/b.png\"") && upgraded.contains("azId: AZ0, cellId: ecs49"))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("upgraded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ims-gateway.yaml").path
        try upgraded.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try GatewayConfig.load(path: path)
        #expect(config.use == "local" && config.backendInUse.kind == .sqlite && config.backendInUse.path == "../data/ims.sqlite")
        #expect(config.backends["postgres"]?.urlEnv == "IMS_PG_URL")
        #expect(config.listen.idleTimeoutSeconds == 12 && config.listen.bodyReadTimeoutSeconds == 13)
        #expect(config.auth.cacheTtlSeconds == 61 && config.auth.replayMaxEntries == 99)
        #expect(config.canonicalApi.idempotencyWindowSeconds == 3601)
        #expect(config.imports.allowedHosts == ["images.example.com"])
        #expect(config.users.first?.avatarUrl == "http://a/b.png")
    }

    @Test func theShippedConfigIsInTheCurrentFormAndCheckPrintsItsGraph() throws {
        let path = TestGateway.repoRoot.appendingPathComponent("Config/ims-gateway.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(FormerConfig.findings(in: text).isEmpty)
        #expect(FormerConfig.upgrade(text) == text)
        let config = try GatewayConfig.load(path: path)
        let table = try config.routeTable(dialects: config.dialectRegistry(compiled: Dialects.all))
        let graph = ConfigCheck.describe(config, table: table)
        #expect(graph.first == "backends (routes that name none run on 'local'):")
        let local = try #require(graph.first { $0.hasPrefix("  local ") })
        #expect(local.contains("sqlite: ../data/ims.sqlite") && local.contains("\(table.routes.count) routes"))
        #expect(graph.contains { $0.hasPrefix("  postgres ") && $0.hasSuffix("no routes") })
    }
}
