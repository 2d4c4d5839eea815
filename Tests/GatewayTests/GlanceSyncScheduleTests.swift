import AsyncHTTPClient
import Foundation
@testable import GatewayHTTP
@testable import IMSFiles
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreGlance
@testable import IMSStorePostgres
@testable import IMSStoreSQLite
import NIOConcurrencyHelpers
import Testing

/// `sync_interval_seconds`: the Glance sync run by `serve` on a schedule, one gateway at a time.
@Suite struct GlanceSyncScheduleTests {
    /// A sync that fails is counted and tried again next interval; cancelling the loop ends it
    /// and gives the lease up, so another gateway takes it at once.
    @Test func aFailedSyncIsTriedAgainAndStoppingEndsTheLoopAndFreesTheLease() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ims-sched-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("ims.sqlite").path)
        let calls = NIOLockedValueBox(0)
        struct GlanceDown: Error {}
        let schedule = GlanceSyncSchedule(name: "glance-sync", interval: .milliseconds(50), leases: store) {
            let call = calls.withLockedValue { $0 += 1; return $0 }
            if call == 1 { throw GlanceDown() }
            return GlanceSyncReport()
        }
        let loop = Task { try await schedule.run() }
        try await Self.waitUntil(seconds: 60) { schedule.counts.synced >= 2 }
        loop.cancel()
        try await loop.value
        let counts = schedule.counts
        #expect(counts.failed == 1 && counts.synced >= 2 && counts.skipped == 0)
        let stoppedAt = calls.withLockedValue { $0 }
        try await Task.sleep(for: .milliseconds(200))
        #expect(calls.withLockedValue { $0 } == stoppedAt, "a sync ran after the loop was cancelled")
        let now = Date()
        #expect(try await store.acquire("glance-sync", holder: "another gateway", now: now, until: now + 60))
    }

    /// Two gateways' sync loops on one PostgreSQL and one Glance: never two syncs at once,
    /// both tried, rounds skipped under the other's lease, and the image made in Glance directly
    /// is in the index once.
    @Test(.enabled(if: GlanceLive.url != nil && ProcessInfo.processInfo.environment["IMS_PG_URL"] != nil,
                   "needs IMS_GLANCE_URL and IMS_PG_URL"))
    func twoGatewaysOnOnePostgresSyncOneAtATime() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ims-sched-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let project = "p-" + RandomID.make(length: 10).lowercased()
        let name = "sched-made-" + RandomID.make(length: 6).lowercased()
        let file = directory.appendingPathComponent("sdk.bin")
        try String(repeating: "made in Glance, synced on a schedule\n", count: 100).write(to: file, atomically: true, encoding: .utf8)
        let glanceId = try #require(try GlanceLive.openstacksdk([project, "create", name, file.path])["id"]?.stringValue)

        let schema = PostgresMigratorTests.freshSchema()
        let namespace = "sched-" + UUID().uuidString.lowercased()
        let databases = try (0..<2).map { _ in PGDatabase(try PostgresMigratorTests.address(schema: schema), maxConnections: 4) }
        // How many syncs run at once, and the most there ever were.
        let running = NIOLockedValueBox((now: 0, most: 0))
        let caller = GlanceCaller(userId: "ims-sched", projectId: "ims-sched", roles: ["admin", "member", "reader"])
        let schedules = try databases.map { db in
            let store = PGStore(db)
            let files = try LocalFileStore(root: directory.appendingPathComponent("files").path,
                                           exportRoot: directory.appendingPathComponent("buckets").path)
            let (_, mirror) = GlanceBackend.glanceStores(over: Stores(store, bytes: files), url: GlanceLive.url!, http: HTTPClient.shared,
                                                         projects: GlanceFields.Projects(), caller: caller, staging: files,
                                                         namespace: namespace)
            return GlanceSyncSchedule(name: "glance-sync " + namespace, interval: .milliseconds(300), leases: store) {
                running.withLockedValue { $0.now += 1; $0.most = max($0.most, $0.now) }
                defer { running.withLockedValue { $0.now -= 1 } }
                let report = try await GlanceSync(mirror: mirror, uploads: store, mint: Mint(), filters: ["owner": project]).run()
                // Long enough that a second sync would overlap if the lease let it.
                try await Task.sleep(for: .milliseconds(150))
                return report
            }
        }
        let index = PGStore(databases[0])
        let total = try await PostgresMigratorTests.running(databases) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for schedule in schedules { group.addTask { try await schedule.run() } }
                try await Self.waitUntil(seconds: 60) {
                    schedules.map { $0.counts.synced }.reduce(0, +) >= 3 && schedules.allSatisfy { $0.counts.synced + $0.counts.skipped >= 1 }
                }
                group.cancelAll()
                try await group.waitForAll()
            }
            return try await index.images(ImageQuery(sort: [SortKey(.id)], offset: 0, limit: 10), reach: .all).total
        }
        let counts = schedules.map(\.counts)
        #expect(running.withLockedValue { $0.most } == 1)
        #expect(counts.allSatisfy { $0.failed == 0 }, "\(counts)")
        #expect(counts.map(\.skipped).reduce(0, +) >= 1, "\(counts)")
        #expect(total == 1)
        let tagged = try await GlanceLive.with { try await $0.image(glanceId, as: caller) }
        #expect(tagged?.json["ims_namespace"]?.stringValue == namespace)
    }

    /// A gateway whose glance entry has `sync_interval_seconds` picks up an image made in
    /// Glance directly without `glance sync` being run.
    @Test(.enabled(if: GlanceLive.url != nil, "needs IMS_GLANCE_URL (scripts/glance url)"))
    func aScheduledSyncPicksUpAnImageMadeInGlance() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        try gateway.useGlance()
        let project = "p-" + RandomID.make(length: 10).lowercased()
        let name = "sched-sdk-" + RandomID.make(length: 6).lowercased()
        gateway.config.backends["glance"]?.syncIntervalSeconds = 0.5
        gateway.config.backends["glance"]?.syncFilters = ["owner": project]
        let file = gateway.directory.appendingPathComponent("sdk.bin")
        let bytes = String(repeating: "made in Glance, found by the schedule\n", count: 100)
        try bytes.write(to: file, atomically: true, encoding: .utf8)
        _ = try GlanceLive.openstacksdk([project, "create", name, file.path])
        try await gateway.run(lane: .bundled) { client in
            var listed: Reply?
            try await Self.waitUntil(seconds: 60) {
                listed = try? await client.send(.get, "/v2/zone/ac1/images", query: [("search_word", name)])
                return listed?["total_count"] == 1
            }
            let json = try #require(listed?.json)
            let ref = try #require(lookup(json, "images.0.image_id")?.stringValue)
            // The sync indexes an image before it tags it in Glance (`GlanceSync.adopt`), and a
            // download finds its Glance image by that tag: listed may come a moment before downloadable.
            var downloaded: Reply?
            try await Self.waitUntil(seconds: 10) {
                downloaded = try? await client.send(.get, "/api/image/v1/private-images/\(ref)/file", headers: CecstackFilesTests.region)
                return downloaded?.status == 200
            }
            #expect(downloaded?.text == bytes)
        }
    }

    /// Polls `done` every 50 ms; fails the test after `seconds`.
    static func waitUntil(seconds: Double = 10, _ done: () async throws -> Bool) async throws {
        let deadline = Date() + seconds
        while try await !done() {
            guard Date() < deadline else {
                Issue.record("not done within \(seconds) s")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
