import Foundation
@testable import IMSModel
@testable import IMSService
import IMSStoreSQLite
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Testing

/// A database that stalls or goes away under a command: the client is answered the dialect's 503
/// at the deadline, not when the database wakes up; a command the database never got is tried
/// again whatever it is, one whose connection was lost only if a second run changes nothing.
struct DeadlineBackendTests {
    let who = Identity(user: "1", tenant: "default", isOperator: true)

    @Test func aStalledCommandIsAnsweredUnavailableAtTheDeadlineAndLeftToEnd() async throws {
        try await withStore { store in
            let faulty = Faulty(inner: store, script: [.stall])
            let bounded = DeadlineBackend(faulty, timeout: .milliseconds(300))
            await #expect(throws: StoreFault.timedOut) {
                try await bounded.execute(.createImage([.name: "stalled"]), as: who)
            }
            // The stalled try is cancelled (it ends when the database answers or the pool gives up).
            try await eventually { faulty.cancelledTries == 1 }
            #expect(faulty.tries == 1)
        }
    }

    @Test func aCommandTheDatabaseNeverGotIsTriedAgainEvenAWrite() async throws {
        try await withStore { store in
            let faulty = Faulty(inner: store, script: [.fail(StoreFault.unreached), .fail(StoreFault.unreached)])
            let bounded = DeadlineBackend(faulty, timeout: .seconds(30), pause: .milliseconds(10))
            let made = try #require(try await bounded.execute(.createImage([.name: "after-a-restart"]), as: who).imageView)
            #expect(made.image.name == "after-a-restart")
            #expect(faulty.tries == 3)
            let listed = try await store.execute(.listImages(ImageQuery()), as: who)
            #expect(listed.imagePage?.items.map(\.image.name) == ["after-a-restart"])
        }
    }

    @Test func aLostConnectionIsRetriedForAReadNotForACreate() async throws {
        try await withStore { store in
            let write = Faulty(inner: store, script: [.fail(StoreFault.lost)])
            await #expect(throws: StoreFault.lost) {
                try await DeadlineBackend(write, timeout: .seconds(30), pause: .milliseconds(10))
                    .execute(.createImage([.name: "maybe-committed"]), as: who)
            }
            #expect(write.tries == 1)

            let read = Faulty(inner: store, script: [.fail(StoreFault.lost)])
            let page = try await DeadlineBackend(read, timeout: .seconds(30), pause: .milliseconds(10))
                .execute(.listImages(ImageQuery()), as: who)
            #expect(page.imagePage != nil)
            #expect(read.tries == 2)
        }
    }

    @Test func triesEndAtTheDeadline() async throws {
        try await withStore { store in
            let down = Faulty(inner: store, script: Array(repeating: .fail(StoreFault.unreached), count: 10_000))
            var refusal: CanonicalError?
            do throws(CanonicalError) {
                _ = try await DeadlineBackend(down, timeout: .seconds(2), pause: .milliseconds(20)).execute(.listImages(ImageQuery()), as: who)
            } catch {
                refusal = error
            }
            // The last try's own error, or the deadline's on a machine too busy to run the last try in time.
            #expect(refusal == StoreFault.unreached || refusal == StoreFault.timedOut)
            // Not tried for ever: no try after the deadline, at most one per pause before it. (That
            // a refused try is tried again is aCommandTheDatabaseNeverGotIsTriedAgainEvenAWrite's:
            // how many tries fit in the deadline depends on how busy the machine is.)
            let tries = down.tries
            try await Task.sleep(for: .milliseconds(200))
            #expect(tries >= 1 && tries <= 101)
            #expect(down.tries == tries)
        }
    }

    private func withStore(_ body: (BundledBackend) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deadline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await body(try BundledBackend(path: dir.appendingPathComponent("ims.sqlite").path))
    }

    private func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }

    /// A backend whose first tries go as `script` says; the rest reach `inner`.
    final class Faulty: ForwardingBackend {
        enum Step: Sendable { case fail(CanonicalError), stall }
        let inner: any Backend
        private let state: NIOLockedValueBox<(script: [Step], tries: Int, cancelled: Int)>

        init(inner: any Backend, script: [Step]) {
            self.inner = inner
            state = NIOLockedValueBox((script, 0, 0))
        }

        var tries: Int { state.withLockedValue { $0.tries } }
        var cancelledTries: Int { state.withLockedValue { $0.cancelled } }

        func execute(_ command: Command, as identity: Identity, minted: Minted?) async throws(CanonicalError) -> Executed {
            let step = state.withLockedValue { state -> Step? in
                state.tries += 1
                return state.script.isEmpty ? nil : state.script.removeFirst()
            }
            switch step {
            case .fail(let error): throw error
            case .stall:
                // A statement on a stopped server: nothing comes back until the task is cancelled.
                try? await Task.sleep(for: .seconds(3600))
                if Task.isCancelled { state.withLockedValue { $0.cancelled += 1 } }
                throw StoreFault.lost
            case nil: return try await inner.execute(command, as: identity, minted: minted)
            }
        }
    }
}
