import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import IMSModel
@testable import IMSRemote
@testable import IMSService
@testable import IMSStoreSQLite
import Testing

/// The shadow's bounded queue (DESIGN §7) with a slow secondary: the primary never waits, what
/// does not fit is dropped and counted, a dropped write's objects read "missed write" later, and
/// comparisons run at the lowest CPU priority.
@Suite(.sqliteStoreOnly) struct ShadowQueueTests {
    /// A secondary 50 ms slow per command and a queue of two: the primary's answers do not wait,
    /// the mirrors that do not fit are dropped and counted, and a later difference on an image
    /// whose write was dropped reads "missed write".
    @Test func aFullQueueDropsCountsAndMarksTheMissedWrites() async throws {
        try await Self.withSlowShadow(queueSize: 2, delay: .milliseconds(50)) { shadow, record, dir in
            let who = Identity(user: "1", tenant: "default", isOperator: true)
            var refs: [String] = []
            for n in 0..<30 {
                let view = try #require(try await shadow.execute(.createImage([.name: .string("burst-\(n)")]), as: who).imageView)
                refs.append(view.image.imageId)
            }
            var report = try await ShadowTests.report(record) { ShadowTests.row($0, "createImage").compared + ShadowTests.row($0, "createImage").dropped == 30 }
            let creates = ShadowTests.row(report, "createImage")
            #expect(creates.compared + creates.dropped == 30)
            #expect(creates.dropped > 0 && creates.compared > 0, "\(creates)")
            #expect(creates.mismatched == 0)

            let onSecondary = Set(try ShadowTests.images(in: dir.appendingPathComponent("new/ims.sqlite").path).map(\.ref))
            let missed = try #require(refs.first { !onSecondary.contains($0) })
            _ = try await shadow.execute(.getImage(ImageSelector(ref: missed)), as: who)
            report = try await ShadowTests.report(record) { ShadowTests.row($0, "getImage").compared == 1 }
            #expect(ShadowTests.row(report, "getImage").mismatched == 0, "a missed write is not the new backend's difference")
            let example = try #require(report.examples.first { $0.operation == "getImage" })
            #expect(example.kind == "missed write" && example.path == "outcome", "\(example)")
        }
    }

    /// Reads offered while the queue is full (one slot, a secondary 200 ms slow) are each
    /// dropped and counted: the primary answers every one, and compared + dropped adds up.
    @Test func readsOfferedToAFullQueueAreDroppedAndCounted() async throws {
        try await Self.withSlowShadow(queueSize: 1, delay: .milliseconds(200)) { shadow, record, _ in
            let who = Identity(user: "1", tenant: "default", isOperator: true)
            let made = try #require(try await shadow.execute(.createImage([.name: .string("read-me")]), as: who).imageView)
            for _ in 0..<40 {
                let got = try await shadow.execute(.getImage(ImageSelector(ref: made.image.imageId)), as: who).imageView
                #expect(got?.image.name == "read-me")
            }
            let report = try await ShadowTests.report(record) { ShadowTests.row($0, "getImage").compared + ShadowTests.row($0, "getImage").dropped == 40 }
            let reads = ShadowTests.row(report, "getImage")
            #expect(reads.compared + reads.dropped == 40 && reads.dropped > 0, "\(reads)")
        }
    }

    /// The worker's comparisons run on a thread of the lowest CPU priority, so on a busy core
    /// they take only the time the primary's requests leave.
    @Test func comparisonsRunAtTheLowestPriority() async {
        let nice = await Task.detached {
            await withTaskExecutorPreference(LowPriorityExecutor.shared) {
                try? await Task.sleep(for: .milliseconds(1))  // resumed on the executor too
                return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            }
        }.value
        #expect(nice == 19)
    }

    /// A secondary reached over HTTP keeps its connections on that thread's event loop, and a
    /// shadow closes them: its reads and writes wait for the requests too.
    @Test func aRemoteSecondarysConnectionsLiveOnTheLowPriorityLoop() async throws {
        let remote = RemoteBackend(.init(url: "http://127.0.0.1:9", token: "t"))
        let copy = try #require(remote.lowPriorityCopy() as? RemoteBackend)
        #expect(copy.client.eventLoopGroup === LowPriorityExecutor.shared.eventLoopGroup)
        #expect(remote.client.eventLoopGroup !== LowPriorityExecutor.shared.eventLoopGroup)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shadow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shadow = ShadowBackend(primary: try BundledBackend(path: dir.appendingPathComponent("old/ims.sqlite").path), secondary: remote,
                                   log: try SQLiteShadowLog(path: dir.appendingPathComponent("shadow.sqlite").path))
        let secondary = try #require(shadow.secondary as? RemoteBackend)
        #expect(secondary.client.eventLoopGroup === LowPriorityExecutor.shared.eventLoopGroup)
        #expect(shadow.services.count == 2)  // the worker, and the copy's closing of its connections
        for backend in [remote, copy, secondary] { try await backend.client.shutdown() }
    }

    /// A shadow of two bundled stores in a temporary directory (`old/`, `new/`), the secondary
    /// slowed by `delay` per command, its worker running; `body` gets it, the record's path and
    /// the directory.
    static func withSlowShadow(queueSize: Int, delay: Duration,
                               _ body: (ShadowBackend, String, URL) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shadow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let primary = try BundledBackend(path: dir.appendingPathComponent("old/ims.sqlite").path)
        let secondary = try BundledBackend(path: dir.appendingPathComponent("new/ims.sqlite").path)
        let record = dir.appendingPathComponent("shadow.sqlite").path
        var options = ShadowBackend.Options()
        options.queueSize = queueSize
        let shadow = ShadowBackend(primary: primary, secondary: Slowed(inner: secondary, delay: delay),
                                   log: try SQLiteShadowLog(path: record), options: options)
        let worker = Task { try await ShadowBackend.Worker(shadow: shadow).run() }
        defer { worker.cancel() }
        try await body(shadow, record, dir)
    }

    /// A backend that takes `delay` longer for each command: a slow secondary.
    struct Slowed: ForwardingBackend {
        let inner: any Backend
        let delay: Duration

        func execute(_ command: Command, as identity: Identity, minted: Minted?) async throws(CanonicalError) -> Executed {
            try? await Task.sleep(for: delay)
            return try await inner.execute(command, as: identity, minted: minted)
        }
    }
}
