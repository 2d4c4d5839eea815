import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// `SeenSignatures` and `IdempotencyRecords` against every store: what one gateway records,
/// another (or the same after a restart) finds, within the record's time.
@Suite struct RequestMemoryContractTests {
    typealias S = ContractStores

    @Test(arguments: StoreFactory.all) func aSignatureIsAdmittedOnceWithinItsWindow(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let seen = stores.signatures, t0 = S.epoch
            #expect(try await seen.admit(signature: "sig-a", until: t0 + 900, now: t0))
            #expect(try await !seen.admit(signature: "sig-a", until: t0 + 960, now: t0 + 60))
            #expect(try await seen.admit(signature: "sig-b", until: t0 + 900, now: t0 + 60))
            // Past its window the signature would be refused for its age anyway: it may be filed again.
            #expect(try await seen.admit(signature: "sig-a", until: t0 + 1900, now: t0 + 1000))
            #expect(try await !seen.admit(signature: "sig-a", until: t0 + 1900, now: t0 + 1001))
            try await seen.forgetSignatures(before: t0 + 1000)
            #expect(try await !seen.admit(signature: "sig-a", until: t0 + 1900, now: t0 + 1002))
            #expect(try await seen.admit(signature: "sig-b", until: t0 + 1900, now: t0 + 1002))
        }
    }

    @Test(arguments: StoreFactory.all) func aRunIsClaimedOnceAndItsAnswerKept(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let records = stores.idempotency, t0 = S.epoch
            #expect(try await records.claim("scope", request: "create-a", owner: "g1", lease: t0 + 30, now: t0) == .claimed)
            // Another gateway finds the run under way, whatever it asks.
            #expect(try await records.claim("scope", request: "create-a", owner: "g2", lease: t0 + 31, now: t0 + 1) == .running(request: "create-a"))
            #expect(try await records.claim("scope", request: "delete-b", owner: "g2", lease: t0 + 31, now: t0 + 1) == .running(request: "create-a"))
            // Only the holder finishes it.
            try await records.finish("scope", owner: "g2", answer: "{\"forged\":1}", expires: t0 + 3600)
            try await records.finish("scope", owner: "g1", answer: "{\"result\":1}", expires: t0 + 3600)
            #expect(try await records.claim("scope", request: "create-a", owner: "g2", lease: t0 + 32, now: t0 + 2)
                == .done(request: "create-a", answer: "{\"result\":1}"))
            // The answer's time over, the key is free again.
            #expect(try await records.claim("scope", request: "delete-b", owner: "g2", lease: t0 + 3630, now: t0 + 3601) == .claimed)
            // A run released (it said nothing about the store) leaves the key free at once.
            try await records.release("scope", owner: "g2")
            #expect(try await records.claim("scope", request: "create-a", owner: "g3", lease: t0 + 3640, now: t0 + 3610) == .claimed)
            // Its gateway died: once the lease lapses a repeat takes the run over.
            #expect(try await records.claim("scope", request: "create-a", owner: "g1", lease: t0 + 3700, now: t0 + 3641) == .claimed)
            try await records.finish("scope", owner: "g3", answer: "{\"late\":1}", expires: t0 + 9999)
            try await records.finish("scope", owner: "g1", answer: "{\"result\":2}", expires: t0 + 7200)
            #expect(try await records.claim("scope", request: "create-a", owner: "g2", lease: t0 + 3700, now: t0 + 3650)
                == .done(request: "create-a", answer: "{\"result\":2}"))
            try await records.forgetIdempotency(before: t0 + 7201)
            #expect(try await records.claim("scope", request: "create-a", owner: "g2", lease: t0 + 7230, now: t0 + 7201) == .claimed)
        }
    }
}
