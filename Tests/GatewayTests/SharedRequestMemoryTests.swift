import Dialects
import Foundation
@testable import GatewayHTTP
import Hummingbird
import HummingbirdTesting
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreSQLite
import Synchronization
import Testing

/// What one gateway accepted, every gateway of the deployment knows: a signed request is not
/// accepted again by another gateway or after a restart, and a mutation repeated under its
/// idempotency key is answered from the record wherever it lands.
@Suite struct SharedRequestMemoryTests {
    static let identity = Identity(user: "u", tenant: "t")
    static let create = Command.createApplication(ApplicationDraft(name: "a", displayName: "A", description: "", picture: ""))

    @Test func aSignedRequestIsRefusedAfterARestart() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let signer = QingcloudSigner()
        try signer.install(in: &gateway)
        let signed = signer.query([("action", "DescribeImages")])
        try await gateway.run(lane: .bundled) { client in
            let first = try await client.send(.get, "/iaas/", query: signed, auth: .none)
            #expect(first.status == 200 && first["ret_code"] == 0, "\(first.text)")
        }
        // A new process on the same store: its own memory is empty, the store's is not.
        try await gateway.run(lane: .bundled) { client in
            let again = try await client.send(.get, "/iaas/", query: signed, auth: .none)
            #expect(again.status == 200 && again["ret_code"] == 1200, "\(again.text)")
            let fresh = try await client.send(.get, "/iaas/", query: signer.query([("action", "DescribeImages")]), auth: .none)
            #expect(fresh["ret_code"] == 0, "\(fresh.text)")
        }
    }

    /// Two gateways on one PostgreSQL schema, requests alternating between them.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["IMS_PG_URL"] != nil))
    func aSignedRequestIsRefusedByTheOtherGateway() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let signer = QingcloudSigner()
        try signer.install(in: &gateway)
        try await gateway.run(lane: .twoGateways) { client in
            let signed = signer.query([("action", "DescribeImages")])
            let first = try await client.send(.get, "/iaas/", query: signed, auth: .none)
            #expect(first.status == 200 && first["ret_code"] == 0, "\(first.text)")
            let atTheOther = try await client.send(.get, "/iaas/", query: signed, auth: .none)
            #expect(atTheOther.status == 200 && atTheOther["ret_code"] == 1200, "\(atTheOther.text)")
        }
    }

    /// Through the canonical API: the same create sent under one key to a gateway, then to the
    /// same gateway restarted (bundled) or to the other gateway of the deployment (PostgreSQL),
    /// makes one image and answers it twice.
    @Test func aKeyedCreateRepeatedAfterARestartIsAnsweredFromTheRecord() async throws {
        try await keyedCreateRepeated(on: .bundled)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["IMS_PG_URL"] != nil))
    func aKeyedCreateRepeatedAtTheOtherGatewayIsAnsweredFromTheRecord() async throws {
        try await keyedCreateRepeated(on: .twoGateways)
    }

    func keyedCreateRepeated(on lane: TestGateway.Lane) async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        if lane == .twoGateways { try gateway.usePostgres() }
        let create = try CanonicalAPITests.wire(.createImage([.name: .string("once"), .computeResourceId: 1]))
        let key = ["Idempotency-Key": UUID().uuidString]
        let first = try await gateway.run(lane: lane) { client in
            let made = try await CanonicalAPITests.execute(client, create, headers: key)
            #expect(made.status == 200, "\(made.text)")
            // In the 2-gateway lane this one reaches the other gateway.
            let repeated = try await CanonicalAPITests.execute(client, create, headers: key)
            #expect(repeated.text == made.text)
            return made.text
        }
        try await gateway.run(lane: lane) { client in
            let afterRestart = try await CanonicalAPITests.execute(client, create, headers: key)
            #expect(afterRestart.text == first)
            let listed = try await CanonicalAPITests.execute(client, try CanonicalAPITests.wire(.listImages(ImageQuery())))
            #expect(listed["result"]?["images"]?["_0"]?["total"] == 1, "\(listed.text)")
        }
    }

    /// Two ledgers on one store stand for two gateways (or one gateway and its restart).
    @Test(arguments: StoreFactory.all) func aKeyedMutationRunsOnceAcrossGateways(_ factory: StoreFactory) async throws {
        try await ContractStores.with(factory) { stores in
            let a = IdempotencyLedger(records: stores.idempotency), b = IdempotencyLedger(records: stores.idempotency)
            let runs = Atomic(0)
            let made: IdempotencyLedger.Answer = .success(Executed(.imagesDeleted(["img-00000001"]), minted: Minted(times: [ContractStores.epoch], values: ["imageId": ["img-00000001"]])))
            let run: @Sendable () async -> IdempotencyLedger.Answer = {
                runs.add(1, ordering: .relaxed)
                try? await Task.sleep(for: .milliseconds(200))
                return made
            }
            // Sent to both at once: one runs it, the other waits for its answer.
            async let first = a.run(key: "k", identity: Self.identity, command: Self.create, run)
            async let second = b.run(key: "k", identity: Self.identity, command: Self.create, run)
            let answers = await [first, second]
            #expect(answers == [made, made])
            #expect(runs.load(ordering: .relaxed) == 1)
            // A third gateway started later answers from the record.
            let c = IdempotencyLedger(records: stores.idempotency)
            #expect(await c.run(key: "k", identity: Self.identity, command: Self.create, run) == made)
            #expect(runs.load(ordering: .relaxed) == 1)
            // The key is the identity's: another tenant's is another record; another request is refused.
            _ = await c.run(key: "k", identity: Identity(user: "u", tenant: "t2"), command: Self.create, run)
            #expect(runs.load(ordering: .relaxed) == 2)
            let other = await a.run(key: "k", identity: Self.identity, command: .deleteApplication(1), run)
            #expect(other == .failure(IdempotencyLedger.otherRequest))
        }
    }

    /// A failure that says nothing about the store is not kept in the store either.
    @Test func aRunThatFailedInTheMachineryRunsAgainElsewhere() async throws {
        try await ContractStores.with(.sqlite) { stores in
            let a = IdempotencyLedger(records: stores.idempotency), b = IdempotencyLedger(records: stores.idempotency)
            let runs = Atomic(0)
            let failed = await a.run(key: "k", identity: Self.identity, command: Self.create) {
                runs.add(1, ordering: .relaxed)
                return .failure(.unavailable("backend away"))
            }
            #expect(failed == .failure(.unavailable("backend away")))
            let ok = await b.run(key: "k", identity: Self.identity, command: Self.create) {
                runs.add(1, ordering: .relaxed)
                return .success(Executed(.done, minted: Minted()))
            }
            #expect(ok == .success(Executed(.done, minted: Minted())) && runs.load(ordering: .relaxed) == 2)
        }
    }
}
