import Dialects
import Foundation
@testable import GatewayHTTP
import Hummingbird
import HummingbirdTesting
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreSQLite
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// A mutation the client was told timed out can be repeated with its idempotency key: it is
/// made once, and the repeat answers what was made.
@Suite struct IdempotencyTests {
    final class Counter: Sendable {
        let value = Atomic(0)
        func next() -> Int { value.add(1, ordering: .relaxed).newValue }
        var count: Int { value.load(ordering: .relaxed) }
    }

    static let identity = Identity(user: "u", tenant: "t")
    static let create = Command.createApplication(ApplicationDraft(name: "a", displayName: "A", description: "", picture: ""))
    static let done: IdempotencyLedger.Answer = .success(Executed(.done, minted: Minted()))

    @Test func aRepeatedKeyRunsTheCommandOnceAndAnswersItsFirstAnswer() async throws {
        let ledger = IdempotencyLedger()
        let runs = Counter()
        let answers = await withTaskGroup(of: IdempotencyLedger.Answer.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await ledger.run(key: "k", identity: Self.identity, command: Self.create) {
                        .success(Executed(.imagesDeleted(["run-\(runs.next())"]), minted: Minted()))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(runs.count == 1)
        #expect(Set(answers.map { "\($0)" }).count == 1)
    }

    @Test func aKeyBelongsToOneIdentityAndOneRequest() async throws {
        let ledger = IdempotencyLedger()
        let runs = Counter()
        let run: @Sendable () async -> IdempotencyLedger.Answer = { _ = runs.next(); return Self.done }
        _ = await ledger.run(key: "k", identity: Self.identity, command: Self.create, run)
        let otherTenant = await ledger.run(key: "k", identity: Identity(user: "u", tenant: "t2"), command: Self.create, run)
        #expect(otherTenant == Self.done && runs.count == 2)
        let otherCommand = await ledger.run(key: "k", identity: Self.identity, command: .deleteApplication(1), run)
        guard case .failure(.conflict(let field, _)) = otherCommand else { Issue.record("\(otherCommand)"); return }
        #expect(field == "Idempotency-Key" && runs.count == 2)
        // A 51idc job repeated has a new request id in its spec, and is the same request.
        let job = { (requestId: String) in Command.asJob(JobSpec(action: "CreateImage", zone: "z", requestId: requestId), Self.create) }
        _ = await ledger.run(key: "j", identity: Self.identity, command: job("r1"), run)
        #expect(await ledger.run(key: "j", identity: Self.identity, command: job("r2"), run) == Self.done && runs.count == 3)
    }

    @Test func aFailureThatSaysNothingAboutTheStoreIsNotKept() async throws {
        let ledger = IdempotencyLedger()
        let runs = Counter()
        let failing: @Sendable () async -> IdempotencyLedger.Answer = { _ = runs.next(); return .failure(.internal("disk")) }
        _ = await ledger.run(key: "k", identity: Self.identity, command: Self.create, failing)
        _ = await ledger.run(key: "k", identity: Self.identity, command: Self.create, failing)
        #expect(runs.count == 2)
        let refused: @Sendable () async -> IdempotencyLedger.Answer = { _ = runs.next(); return .failure(.conflict(field: "name", message: "taken")) }
        _ = await ledger.run(key: "r", identity: Self.identity, command: Self.create, refused)
        _ = await ledger.run(key: "r", identity: Self.identity, command: Self.create, refused)
        #expect(runs.count == 3)
    }

    @Test func theOldestAnswersAreForgottenFirstWhenTheLedgerIsFullOrTheirWindowEnds() async throws {
        let full = IdempotencyLedger(capacity: 2)
        let runs = Counter()
        let run: @Sendable () async -> IdempotencyLedger.Answer = { _ = runs.next(); return Self.done }
        for key in ["a", "b", "c", "c", "b"] { _ = await full.run(key: key, identity: Self.identity, command: Self.create, run) }
        let held = await full.count
        #expect(runs.count == 3 && held == 2)
        _ = await full.run(key: "a", identity: Self.identity, command: Self.create, run)
        #expect(runs.count == 4)
        let brief = IdempotencyLedger(window: .zero)
        for _ in 0..<2 { _ = await brief.run(key: "k", identity: Self.identity, command: Self.create, run) }
        #expect(runs.count == 6)
    }

    /// Holds the first mutation until the test lets it go, after the front has given up on it.
    final class HeldBackend: ForwardingBackend {
        let inner: any Backend
        let release: AsyncStream<Void>
        let releaser: AsyncStream<Void>.Continuation
        let finished: AsyncStream<Void>
        let finisher: AsyncStream<Void>.Continuation
        let mutations = Counter()

        init(_ inner: BundledBackend) {
            self.inner = inner
            (release, releaser) = AsyncStream.makeStream()
            (finished, finisher) = AsyncStream.makeStream()
        }

        func execute(_ command: Command, as identity: Identity, minted: Minted?) async throws(CanonicalError) -> Executed {
            guard !command.isReadOnly, mutations.next() == 1 else { return try await inner.execute(command, as: identity, minted: minted) }
            for await _ in release { break }
            defer { finisher.yield() }
            return try await inner.execute(command, as: identity, minted: minted)
        }
    }

    /// A client (or proxy) that sends the same X-Request-Id twice still gets two creates: the
    /// key a mutation is recorded under is the client's Idempotency-Key or one made per request.
    @Test func aRepeatedRequestIdIsNotAnIdempotencyKey() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run(lane: .remote) { client in
            for name in ["first", "second"] {
                let created = try await client.send(.post, "/api/compute_resources/1/images", headers: ["X-Request-Id": "fixed-id"],
                                                    body: .json(["image": ["name": .string(name), "username": "root", "uuid": .string(name)]]))
                #expect(created.status == 201 && created["name"] == .string(name), "\(created.text)")
            }
            #expect(try await client.send(.get, "/api/compute_resources/1/images")["total"] == 2)
        }
    }

    @Test func aCreateTheFrontGaveUpOnIsMadeOnceAndItsRepeatAnswersIt() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let held = HeldBackend(try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions))
        let back = try buildApplication(gateway.config, parts: GatewayParts(dialects: Dialects.all, backend: held), logger: TestGateway.quietLogger)
        try await back.test(.live) { backClient in
            var front = gateway.frontConfig(backendPort: backClient.port ?? 0)
            // Long enough for the unheld requests on a loaded machine; the held one waits it out.
            front.backendInUse.requestTimeoutMs = 2000
            let app = try buildApplication(front, parts: GatewayParts(dialects: Dialects.all), logger: TestGateway.quietLogger)
            try await app.test(.router) { raw in
                let client = GatewayClient(client: raw)
                let body = GatewayClient.Body.json(["image": ["name": "held", "username": "root", "uuid": "u-held"]])
                let first = try await client.send(.post, "/api/compute_resources/1/images", body: body)
                #expect(first.status == 503, "\(first.text)")
                let message = first["error"]?["message"]?.stringValue ?? ""
                #expect(message.contains("may have been made"), "\(first.text)")
                let named = try #require(message.range(of: "Idempotency-Key: "), "\(first.text)")
                let requestId = String(message[named.upperBound...].prefix { !$0.isWhitespace && $0 != ")" && $0 != "," && $0 != ";" })
                #expect(!requestId.isEmpty && requestId != first.headers[.requestID], "a key of the gateway's, not the request id")
                #expect(!first.text.contains("127.0.0.1"), "\(first.text)")
                held.releaser.yield()
                for await _ in held.finished { break }
                let repeated = try await client.send(.post, "/api/compute_resources/1/images",
                                                     headers: ["Idempotency-Key": requestId], body: body)
                #expect(repeated.status == 201 && repeated["name"] == "held", "\(repeated.text)")
                let listed = try await client.send(.get, "/api/compute_resources/1/images")
                #expect(listed["total"] == 1, "\(listed.text)")
                // Without the key the same body is a new request: Foreman refuses the taken name.
                let again = try await client.send(.post, "/api/compute_resources/1/images", body: body)
                #expect(again.status == 422, "\(again.text)")
                // The held create and the keyless one reached the store; the repeat was answered from the record.
                #expect(held.mutations.count == 2)
            }
        }
    }
}
