import Dialects
import Foundation
@testable import GatewayHTTP
import GRDB
import Hummingbird
import HummingbirdTesting
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreSQLite
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Testing

/// Shadow traffic (DESIGN §7): a shadow pair of two SQLite backends, written and read through
/// Foreman; what the secondary stores and answers is compared with the primary in the
/// canonical model, and the report names the operation, the field path and both values.
@Suite(.sqliteStoreOnly) struct ShadowTests {
    /// The shipped config with `backends:` replaced.
    /// The pair most tests use: bundled `old` answering, bundled `new` compared, a record file.
    static let bundledPair = """
        backends:
          old: {kind: sqlite, path: old/ims.sqlite}
          new: {kind: sqlite, path: new/ims.sqlite}
          trial: {kind: shadow, primary: old, secondary: new, record: shadow.sqlite}
        use: trial
        """

    static func config(_ backends: String) throws -> (dir: URL, path: String) {
        let dir = try OperationsTests.configCopy()
        let path = dir.appendingPathComponent("ims-gateway.yaml").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let shipped = text.range(of: "backends:\n")!.lowerBound..<text.range(of: "use: local")!.upperBound
        text.replaceSubrange(shipped, with: backends)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (dir, path)
    }

    /// Waits (a hang guard, not a timing assertion) until the report holds what `done` wants.
    static func report(_ file: String, until done: (ShadowReport) -> Bool) async throws -> ShadowReport {
        let log = try SQLiteShadowLog(path: file)
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let report = try log.report(since: .distantPast)
            if done(report) || ContinuousClock.now > deadline { return report }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func row(_ report: ShadowReport, _ operation: String) -> ShadowReport.Row {
        report.operations.first { $0.operation == operation } ?? ShadowReport.Row(operation: operation)
    }

    @Test func aSecondaryAlteredBehindItsBackIsReportedByOperationAndFieldPath() async throws {
        let (dir, path) = try Self.config(Self.bundledPair)
        defer { try? FileManager.default.removeItem(at: dir) }
        let record = dir.appendingPathComponent("shadow.sqlite").path
        let config = try GatewayConfig.load(path: path)
        try await withReloadable(config, path: path) { client, _ in
            let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                "image": ["name": "centos-9", "username": "root", "uuid": "3d2b7c2a", "architecture_id": 1, "operatingsystem_id": 2],
            ]))
            #expect(made.status == 201, "\(made.text)")
            let id = try #require(made["id"]?.int, "Foreman's create answers the image's id: \(made.text)")
            var report = try await Self.report(record) { Self.row($0, "image.create").compared == 1 }
            #expect(Self.row(report, "image.create") == ShadowReport.Row(operation: "image.create", compared: 1))
            #expect(report.examples.isEmpty, "\(report.examples)")

            // Handed the primary's minted values, the secondary stored the same row.
            let oldFile = dir.appendingPathComponent("old/ims.sqlite").path, newFile = dir.appendingPathComponent("new/ims.sqlite").path
            #expect(try Self.images(in: oldFile) == Self.images(in: newFile))

            try await DatabaseQueue(path: newFile).write { try $0.execute(sql: "UPDATE image SET name = 'tampered'") }
            let read = try await client.send(.get, "/api/compute_resources/1/images/\(id)")
            #expect(read.status == 200 && read["name"] == "centos-9", "the client gets the primary's answer: \(read.text)")
            report = try await Self.report(record) { Self.row($0, "image.get").compared == 1 }
            #expect(Self.row(report, "image.get") == ShadowReport.Row(operation: "image.get", compared: 1, mismatched: 1))
            let example = try #require(report.examples.first)
            #expect(example.dialect == "foreman" && example.operation == "image.get" && example.kind == "differs")
            #expect(example.path == "image.name" && example.primary == #""centos-9""# && example.secondary == #""tampered""#)
            #expect(!example.requestId.isEmpty)
            #expect(report.paths == [ShadowReport.PathCount(operation: "image.get", path: "image.name", kind: "differs", count: 1)])
        }
    }

    /// Cut-over and the way back (DESIGN §7): Foreman's update moves from `trial` (old primary,
    /// new secondary) to `back` (the pair turned round) by its route file and a reload, then back
    /// again. Every write lands in both stores whichever way round, so moving back loses nothing.
    @Test func aRouteMovedToTheTurnedRoundShadowAndBackLeavesBothStoresWithEveryWrite() async throws {
        let (dir, path) = try Self.config("""
            backends:
              old: {kind: sqlite, path: old/ims.sqlite}
              new: {kind: sqlite, path: new/ims.sqlite}
              trial: {kind: shadow, primary: old, secondary: new, record: trial.sqlite}
              back: {kind: shadow, primary: new, secondary: old, record: back.sqlite}
            use: trial
            """)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try GatewayConfig.load(path: path)
        let routes = dir.appendingPathComponent("routes/foreman.yaml").path
        let shipped = try String(contentsOfFile: routes, encoding: .utf8)
        let update = "operation: image.update}"
        #expect(shipped.contains(update))
        try await withReloadable(config, path: path) { client, live in
            let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                "image": ["name": "moving", "username": "root", "uuid": "u-moving", "architecture_id": 1, "operatingsystem_id": 2],
            ]))
            let id = try #require(made["id"]?.int, "created: \(made.text)")
            func rename(_ name: String) async throws {
                let renamed = try await client.send(.put, "/api/compute_resources/1/images/\(id)", body: .json(["image": ["name": .string(name)]]))
                #expect(renamed.status == 200, "\(renamed.text)")
            }
            try await rename("on-trial")
            // The operator reads the report before moving a route: the trial's update compared.
            _ = try await Self.report(dir.appendingPathComponent("trial.sqlite").path) { Self.row($0, "image.update").compared == 1 }
            // Cut over: updates answer from new, old still receives them.
            try shipped.replacingOccurrences(of: update, with: "operation: image.update, backend: back}").write(toFile: routes, atomically: true, encoding: .utf8)
            try live.reload()
            try await rename("on-back")
            var report = try await Self.report(dir.appendingPathComponent("back.sqlite").path) { Self.row($0, "image.update").compared == 1 }
            #expect(Self.row(report, "image.update") == ShadowReport.Row(operation: "image.update", compared: 1))
            let oldFile = dir.appendingPathComponent("old/ims.sqlite").path, newFile = dir.appendingPathComponent("new/ims.sqlite").path
            #expect(try Self.images(in: oldFile) == Self.images(in: newFile))
            #expect(try Self.images(in: newFile).map(\.name) == ["on-back"])
            // The way back: a routing change.
            try shipped.write(toFile: routes, atomically: true, encoding: .utf8)
            try live.reload()
            try await rename("back-on-trial")
            report = try await Self.report(dir.appendingPathComponent("trial.sqlite").path) { Self.row($0, "image.update").compared == 2 }
            #expect(Self.row(report, "image.update") == ShadowReport.Row(operation: "image.update", compared: 2))
            #expect(try Self.images(in: oldFile) == Self.images(in: newFile))
            #expect(try Self.images(in: oldFile).map(\.name) == ["back-on-trial"])
        }
    }

    /// A shadow whose secondary cannot be reached serves, and says it is ready: the secondary's
    /// state costs comparisons, counted as its errors, never requests.
    @Test func aShadowWithItsSecondaryDownServesAndIsReady() async throws {
        let (dir, path) = try Self.config("""
            backends:
              old: {kind: sqlite, path: old/ims.sqlite}
              gone: {kind: remote, url: "http://127.0.0.1:1", token: t, connect_timeout_ms: 200, request_timeout_ms: 500, retries: 0}
              trial: {kind: shadow, primary: old, secondary: gone, record: shadow.sqlite}
            use: trial
            """)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try GatewayConfig.load(path: path)
        try await withReloadable(config, path: path) { client, _ in
            #expect(try await client.send(.get, "/readyz").status == 200)
            let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                "image": ["name": "while-down", "username": "root", "uuid": "u-down", "architecture_id": 1, "operatingsystem_id": 2],
            ]))
            #expect(made.status == 201, "\(made.text)")
            let report = try await Self.report(dir.appendingPathComponent("shadow.sqlite").path) { Self.row($0, "image.create").compared == 1 }
            #expect(Self.row(report, "image.create").secondaryErrors == 1)
        }
    }

    /// Writes through a shadow (old primary, new secondary) while `migrate` copies old into
    /// new: creates the copy has not reached, updates and deletes of images it has or has not
    /// copied yet. When both are done and the queue is empty, the two stores hold the same.
    @Test func clientsWritingThroughAShadowWhileMigrateRunsLeaveTheTwoStoresEqual() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shadow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = try BundledBackend(path: dir.appendingPathComponent("old/ims.sqlite").path)
        let new = try BundledBackend(path: dir.appendingPathComponent("new/ims.sqlite").path)
        let who = Identity(user: "1", tenant: "default", isOperator: true)
        var history: [String] = []
        for n in 0..<300 {
            let view = try #require(try await old.execute(.createImage([.name: .string("history-\(n)")]), as: who).imageView)
            history.append(view.image.imageId)
        }
        let shadow = ShadowBackend(primary: old, secondary: new, log: try SQLiteShadowLog(path: dir.appendingPathComponent("shadow.sqlite").path))
        let worker = Task { try await ShadowBackend.Worker(shadow: shadow).run() }
        defer { worker.cancel() }

        async let writes = Self.write(through: shadow, touching: history, as: who)
        var migration = Migration(source: StoresSource(old.stores), target: new.stores, checkpoint: dir.appendingPathComponent("checkpoint").path)
        migration.batch = 25
        let copying = migration
        async let copied = copying.run(from: "old", to: "new")
        let (acknowledged, _) = try await (writes, copied)
        #expect(acknowledged > 200)
        let deadline = ContinuousClock.now + .seconds(60)
        while shadow.queued > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        for check in try await migration.verify() {
            #expect(check.holds, "\(check.kind): source \(check.source), target \(check.target), missing \(check.missing.prefix(5)), differing \(check.differing.prefix(5))")
        }
    }

    /// An upload through a shadow: the bytes are read once and stored by both sides as they
    /// arrive; both images end active with the same size and MD5, and nothing is reported.
    @Test func anUploadIsStreamedToBothSidesAndDownloadsAreComparedByDigest() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shadow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = try BundledBackend(path: dir.appendingPathComponent("old/ims.sqlite").path)
        let new = try BundledBackend(path: dir.appendingPathComponent("new/ims.sqlite").path)
        let record = dir.appendingPathComponent("shadow.sqlite").path
        let shadow = ShadowBackend(primary: old, secondary: new, log: try SQLiteShadowLog(path: record))
        let worker = Task { try await ShadowBackend.Worker(shadow: shadow).run() }
        defer { worker.cancel() }
        let who = Identity(user: "1", tenant: "default", isOperator: true)
        let made = try #require(try await shadow.execute(.createImage([.name: "uploaded", .status: "queued"]), as: who).imageView)
        let ticket = try #require(try await shadow.execute(.prepareUpload(ImageSelector(ref: made.image.imageId), size: 3 << 18), as: who).uploadTicket)
        let body = AsyncStream<ByteBuffer> { continuation in
            for n in 0..<3 { continuation.yield(ByteBuffer(repeating: UInt8(n), count: 1 << 18)) }
            continuation.finish()
        }
        _ = try await shadow.upload(imageId: ticket.imageId, token: ticket.token, body: body.map { $0 })
        _ = try await shadow.execute(.finishUpload(ImageSelector(ref: ticket.imageId), uploadId: ticket.uploadId, success: true), as: who)
        let report = try await Self.report(record) { Self.row($0, "finishUpload").compared == 1 }
        #expect(Self.row(report, "image.upload") == ShadowReport.Row(operation: "image.upload", compared: 1))
        #expect(report.examples.isEmpty, "\(report.examples)")
        let files = (try await old.stores.uploads.file(ticket.imageId), try await new.stores.uploads.file(ticket.imageId))
        #expect(files.0?.complete == true && files.0?.size == 3 << 18)
        #expect(files.0?.md5 == files.1?.md5 && files.0?.size == files.1?.size && files.1?.complete == true)

        // Downloads are compared by the bytes' digest: equal, then with the secondary's file
        // changed behind its back.
        func download() async throws -> Int {
            var size = 0
            try await shadow.download(ImageSelector(ref: ticket.imageId), as: who).write { size += $0.readableBytes }
            return size
        }
        #expect(try await download() == 3 << 18)
        _ = try await Self.report(record) { Self.row($0, "downloadImage").compared == 1 }
        var stored = try Data(contentsOf: dir.appendingPathComponent("new/files/\(ticket.imageId)"))
        stored[10] ^= 0xFF
        try stored.write(to: dir.appendingPathComponent("new/files/\(ticket.imageId)"))
        #expect(try await download() == 3 << 18, "the client gets the primary's bytes")
        let after = try await Self.report(record) { Self.row($0, "downloadImage").compared == 2 }
        #expect(Self.row(after, "downloadImage") == ShadowReport.Row(operation: "downloadImage", compared: 2, mismatched: 1))
        let found = try #require(after.examples.first { $0.operation == "downloadImage" })
        #expect(found.path == "download.bytes" && found.primary != found.secondary && found.primary.hasPrefix("786432 bytes, MD5 "))
    }

    /// An import runs on the primary only (one fetch of the URL); once its job has ended there,
    /// the image it made is copied to the secondary with its bytes.
    @Test func anImportRunsOnThePrimaryAndItsOutcomeReachesTheSecondary() async throws {
        let fetches = NIOLockedValueBox(0)
        let router = Router()
        router.get("/image.qcow2") { _, _ -> ByteBuffer in
            fetches.withLockedValue { $0 += 1 }
            return ByteBuffer(repeating: 7, count: 100_000)
        }
        let server = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await server.test(.live) { client in
            let port = try #require(client.port)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shadow-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let options = BundledOptions(importPolicy: ImportPolicy(allowedHosts: ["127.0.0.1"]))
            let old = try BundledBackend(path: dir.appendingPathComponent("old/ims.sqlite").path, options: options)
            let new = try BundledBackend(path: dir.appendingPathComponent("new/ims.sqlite").path, options: options)
            let shadow = ShadowBackend(primary: old, secondary: new, log: try SQLiteShadowLog(path: dir.appendingPathComponent("shadow.sqlite").path))
            let group = ServiceGroup(configuration: .init(services: (old.services + new.services + shadow.services).map { .init(service: $0) },
                                                          logger: TestGateway.quietLogger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let who = Identity(user: "1", tenant: "default", isOperator: true)
                let made = try #require(try await shadow.execute(.importImage([.name: "imported"], url: "http://127.0.0.1:\(port)/image.qcow2"), as: who).imageView)
                let deadline = ContinuousClock.now + .seconds(60)
                var copied: ImageView?
                while ContinuousClock.now < deadline {
                    copied = try await new.stores.images.image(.ref(made.image.imageId), reach: .all, within: [])
                    if copied?.image.status == .active, try await new.stores.uploads.file(made.image.imageId)?.complete == true { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                let original = try await old.stores.images.image(.ref(made.image.imageId), reach: .all, within: [])
                #expect(copied != nil && copied == original, "the secondary holds the import's outcome")
                let files = (try await old.stores.uploads.file(made.image.imageId), try await new.stores.uploads.file(made.image.imageId))
                #expect(files.1?.md5 == files.0?.md5 && files.1?.size == 100_000)
                #expect(fetches.withLockedValue { $0 } == 1, "the URL was fetched once, by the primary")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    /// Four clients, each 60 writes: creates, updates of the history, deletes of the history.
    static func write(through shadow: ShadowBackend, touching refs: [String], as who: Identity) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    var done = 0
                    for n in 0..<60 {
                        let command: Command
                        switch n % 3 {
                        case 0: command = .createImage([.name: .string("during-\(writer)-\(n)")])
                        case 1: command = .updateImage(ImageSelector(ref: refs[(writer * 60 + n * 7) % refs.count]),
                                                       [.description: .string("changed by \(writer)/\(n)")])
                        default: command = .deleteImage(ImageSelector(ref: refs[writer * 75 + n]))
                        }
                        if (try? await shadow.execute(command, as: who)) != nil { done += 1 }
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
    }

    struct StoredImage: Equatable, FetchableRecord, Decodable {
        var id: Int64
        var ref: String
        var name: String
        var createdAt: String
        var uuid: String
    }

    static func images(in file: String) throws -> [StoredImage] {
        try DatabaseQueue(path: file).read {
            try StoredImage.fetchAll($0, sql: "SELECT id, imageId AS ref, name, CAST(createdAt AS TEXT) AS createdAt, uuid FROM image ORDER BY id")
        }
    }
}
