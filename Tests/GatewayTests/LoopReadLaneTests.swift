import Foundation
@testable import GatewayHTTP
import GRDB
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreSQLite
import NIOCore
import NIOPosix
import Testing

/// Point reads started on one of the gateway's event loops go to that loop's reader thread in
/// batches (`LoopReadLane`): each caller gets its own answer or its own error, and none runs on
/// the loop.
@Suite struct LoopReadLaneTests {
    /// Runs its methods on an event loop of the singleton group, as the gateway's request tasks do.
    actor OnLoop {
        nonisolated let unownedExecutor: UnownedSerialExecutor
        let store: BundledBackend
        init(_ loop: any EventLoop, store: BundledBackend) {
            unownedExecutor = loop.executor.asUnownedSerialExecutor()
            self.store = store
        }

        /// Reads `count` images at once by id (some absent), noting whether any read ran on the loop.
        func readAtOnce(ids: [Int64]) async throws -> (names: [Int64: String?], onLoop: Bool) {
            try await withThrowingTaskGroup(of: (Int64, String?, Bool).self) { group in
                for id in ids {
                    group.addTask { [store] in
                        let (name, onLoop) = try await store.sqlite.inline { db in
                            (try String.fetchOne(db, sql: "SELECT name FROM image WHERE id = ?", arguments: [id]),
                             MultiThreadedEventLoopGroup.currentEventLoop != nil)
                        }
                        return (id, name, onLoop)
                    }
                }
                var names: [Int64: String?] = [:]
                var onLoop = false
                for try await (id, name, ranOnLoop) in group {
                    names[id] = name
                    onLoop = onLoop || ranOnLoop
                }
                return (names, onLoop)
            }
        }

        func failingRead() async -> Bool {
            do {
                _ = try await store.sqlite.inline { db in try Int.fetchOne(db, sql: "SELECT nothing FROM nowhere") }
                return false
            } catch {
                return error is DatabaseError
            }
        }

        func onLane() -> Bool { LoopReadLane.current() != nil }
    }

    @Test func readsOnALoopGoToItsReaderThreadAndEachGetsItsOwnAnswer() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        for i in 1...20 {
            _ = try await store.execute(.createImage([.name: .string("image-\(i)"), .computeResourceId: 1]), as: .anonymousOperator)
        }
        let onLoop = OnLoop(MultiThreadedEventLoopGroup.singleton.next(), store: store)
        #expect(await onLoop.onLane())
        // Ids 1–20 exist, 21–30 do not: 30 reads started in one pass of the loop.
        let (names, ranOnLoop) = try await onLoop.readAtOnce(ids: Array(1...30))
        #expect(names.count == 30)
        for id in Int64(1)...20 { #expect(names[id] == "image-\(id)") }
        for id in Int64(21)...30 { #expect(names[id] == String?.none) }
        #expect(!ranOnLoop)
        #expect(await onLoop.failingRead())
    }

    @Test func readsOffTheGatewaysLoopsTakeTheBlockingPool() async throws {
        #expect(LoopReadLane.current() == nil)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let other = try await group.next().submit { LoopReadLane.current() == nil }.get()
        try await group.shutdownGracefully()
        #expect(other)
    }
}
