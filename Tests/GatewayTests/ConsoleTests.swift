import Dialects
import Foundation
@testable import GatewayHTTP
import GRDB
import Hummingbird
import HummingbirdTesting
@testable import IMSService
import Testing

/// The operator console (`/console`): operators only, and each page shows the gateway's own
/// state — the route table with each route's backend, the traffic of the last minutes, a shadow
/// pair's differences by field path, and a migration's progress and verification.
@Suite(.sqliteStoreOnly) struct ConsoleTests {
    static let operatorAuth = ["Authorization": "Basic " + Data("admin:changeme".utf8).base64EncodedString()]
    static let viewerAuth = ["Authorization": "Basic " + Data("viewer:changeme".utf8).base64EncodedString()]

    /// A Foreman user who is not an operator, with admin's password (its bcrypt hash, copied).
    static func addViewer(in dir: URL) throws {
        let path = dir.appendingPathComponent("credentials.yaml").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let admin = try #require(text.split(separator: "\n").first { $0.contains("dialect: foreman, id: admin") })
        let hash = try #require(admin.firstMatch(of: /secret_bcrypt: "([^"]+)"/)?.1)
        text += "\n  - {dialect: foreman, id: viewer, secret_bcrypt: \"\(hash)\", user: \"2\", tenant: default}\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func refusesAnyoneButAnOperatorOnEveryPage() async throws {
        let (dir, path) = try ShadowTests.config("""
            backends:
              local: {kind: sqlite, path: data/ims.sqlite}
            use: local
            """)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.addViewer(in: dir)
        try await withReloadable(try GatewayConfig.load(path: path), path: path) { client, _ in
            for page in ConsolePage.pages.map(\.path) {
                let anonymous = try await client.send(.get, page, auth: .none)
                #expect(anonymous.status == 401 && anonymous.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true, "\(page): \(anonymous.text)")
                #expect(!anonymous.text.contains("<table"), "\(page): \(anonymous.text)")
                let wrong = try await client.send(.get, page, headers: ["Authorization": "Basic " + Data("admin:nope".utf8).base64EncodedString()])
                #expect(wrong.status == 401, "\(page): \(wrong.text)")
                let viewer = try await client.send(.get, page, headers: Self.viewerAuth)
                #expect(viewer.status == 403 && viewer.text.contains("not an operator"), "\(page): \(viewer.text)")
                // Another dialect's operator token is not a console credential.
                let bearer = try await client.send(.get, page, headers: ["Authorization": "Bearer cec-demo-token"])
                #expect(bearer.status == 401, "\(page): \(bearer.text)")
                let admin = try await client.send(.get, page, headers: Self.operatorAuth)
                #expect(admin.status == 200 && admin.headers[.contentType]?.hasPrefix("text/html") == true, "\(page): \(admin.text)")
            }
        }
    }

    @Test func showsRoutesTrafficAShadowDifferenceAndAMigrationsProgress() async throws {
        let (dir, path) = try ShadowTests.config(ShadowTests.bundledPair)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try GatewayConfig.load(path: path)
        // A migration half way through its images, as `migrate` writes it beside its checkpoint.
        var status = MigrationStatus(from: "old", to: "new", now: Date().addingTimeInterval(-10))
        status.record(Migration.Progress(kind: .images, catchUp: false, scanned: 0, total: 400, copied: 0, bytes: 0, totalBytes: 0),
                      now: Date().addingTimeInterval(-10))
        status.record(Migration.Progress(kind: .images, catchUp: false, scanned: 200, total: 400, copied: 190, bytes: 0, totalBytes: 0))
        try status.save(MigrationStatus.path(beside: config.migrationCheckpoint(from: "old", to: "new")))

        try await withReloadable(config, path: path) { client, _ in
            let routes = try await client.send(.get, "/console", headers: Self.operatorAuth)
            #expect(routes.status == 200)
            #expect(routes.text.contains("<code>/api/compute_resources/{compute_resource_id}/images</code></td><td>image.create</td><td><code>trial</code>"),
                    "each route with its operation and backend: \(routes.text)")
            #expect(routes.text.contains("<td><code>trial</code></td><td>shadow</td><td>old, new</td>"), "\(routes.text)")
            #expect(routes.text.contains("part of trial"), "\(routes.text)")

            let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                "image": ["name": "centos-9", "username": "root", "uuid": "3d2b7c2a", "architecture_id": 1, "operatingsystem_id": 2],
            ]))
            let id = try #require(made["id"]?.int, "\(made.text)")
            let record = dir.appendingPathComponent("shadow.sqlite").path
            _ = try await ShadowTests.report(record) { ShadowTests.row($0, "image.create").compared == 1 }
            try await DatabaseQueue(path: dir.appendingPathComponent("new/ims.sqlite").path).write {
                try $0.execute(sql: "UPDATE image SET name = 'tampered'")
            }
            _ = try await client.send(.get, "/api/compute_resources/1/images/999999")
            _ = try await client.send(.get, "/api/compute_resources/1/images/\(id)")
            // Mirrors run in order: once the second read is compared, so is the first.
            let report = try await ShadowTests.report(record) { ShadowTests.row($0, "image.get").mismatched == 1 }
            let get = ShadowTests.row(report, "image.get")

            let shadow = try await client.send(.get, "/console/shadow", headers: Self.operatorAuth)
            #expect(shadow.text.contains(#"<td><code class="field-path">image.name</code></td><td>differs</td>"#), "\(shadow.text)")
            #expect(shadow.text.contains("<code>&quot;centos-9&quot;</code></td><td><code>&quot;tampered&quot;</code>"),
                    "both values side by side: \(shadow.text)")
            #expect(shadow.text.contains("<td>image.get</td><td class=\"n\">\(get.compared)</td><td class=\"n\">1</td>"
                + "<td class=\"n\">\(String(format: "%.2f%%", get.mismatchRate * 100))</td>"), "the report's own counts: \(shadow.text)")
            // The rate over time: this hour's row for the reads, as the report counts it.
            let hour = try #require(report.hours.last { $0.operation == "image.get" })
            #expect(hour.mismatched == 1 && hour.compared == get.compared)
            #expect(shadow.text.contains("<td>image.get</td><td class=\"n\">\(hour.compared)</td><td class=\"n\">1</td>"
                + "<td class=\"n\">\(String(format: "%.2f%%", hour.mismatchRate * 100))</td>"), "\(shadow.text)")
            #expect(shadow.text.contains("<table class=\"shadow-hours\">"))

            let traffic = try await client.send(.get, "/console/traffic", headers: Self.operatorAuth)
            #expect(traffic.text.contains(#"<td>foreman</td><td>image.get</td><td><code>/api/compute_resources/{compute_resource_id}/images/{id}</code></td><td class="n">2</td><td class="n">0</td><td class="n">1</td>"#),
                    "two reads, one of them a 404: \(traffic.text)")
            #expect(traffic.text.contains("<rect class=\"req\""), "\(traffic.text)")

            let migration = try await client.send(.get, "/console/migration", headers: Self.operatorAuth)
            #expect(migration.text.contains("<code>old</code> → <code>new</code>"), "\(migration.text)")
            #expect(migration.text.contains("<td>images</td><td><span class=\"bar\"><i style=\"width:100px\"></i></span> 50%</td>"), "\(migration.text)")
            #expect(migration.text.contains("200 / 400"), "\(migration.text)")

            for page in [routes, shadow, traffic, migration] {
                #expect(!page.text.contains("http://") && !page.text.contains("https://"), "a page names nothing outside the gateway")
                #expect(!page.text.contains("changeme"), "no secret on a page")
            }
        }
    }

    /// The status `migrate` writes: a rate from what this run scanned, the time left at that
    /// rate, and the verification's result.
    @Test func aMigrationStatusCountsRateTimeLeftAndVerification() throws {
        let start = Date(timeIntervalSince1970: 1_000_000)
        // Resumed with 100 images scanned by an earlier run, which this run's rate leaves out.
        var checkpoint = MigrationCheckpoint(from: "a", to: "b")
        checkpoint.kinds["images"] = MigrationCheckpoint.Place()
        checkpoint.kinds["images"]!.scanned = 100
        var status = MigrationStatus(from: "a", to: "b", resuming: checkpoint, now: start)
        status.record(Migration.Progress(kind: .images, catchUp: false, scanned: 350, total: 1100, copied: 250, bytes: 0, totalBytes: 0),
                      now: start.addingTimeInterval(5))
        status.record(Migration.Progress(kind: .images, catchUp: false, scanned: 600, total: 1100, copied: 500, bytes: 0, totalBytes: 0),
                      now: start.addingTimeInterval(10))
        let images = try #require(status.kinds.first)
        #expect(images.itemsPerSecond == 50 && images.secondsLeft == 10)
        // The next kind starts when this one was last heard of.
        status.record(Migration.Progress(kind: .shares, catchUp: false, scanned: 30, total: 30, copied: 30, bytes: 0, totalBytes: 0),
                      now: start.addingTimeInterval(13))
        #expect(status.kinds.last?.itemsPerSecond == 10 && status.kinds.last?.secondsLeft == 0)
        status.record([Migration.Check(kind: .images, source: 1100, target: 1099, missing: ["img-1"], differing: [])],
                      now: start.addingTimeInterval(20))
        #expect(status.state == .differs && status.verification.first?.holds == false)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try status.save(file)
        #expect(try MigrationStatus.load(file) == status)
    }
}
