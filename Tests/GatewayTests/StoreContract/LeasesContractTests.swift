import Foundation
@testable import IMSService
import Testing

/// `Leases`' contract: a lease is one holder's until it lapses or is released, its holder
/// extends it, and holders acquiring together never both get it; against every store.
@Suite struct LeasesContractTests {
    typealias S = ContractStores

    @Test(arguments: StoreFactory.all) func aLeaseIsOneHoldersUntilItLapsesOrIsReleased(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let leases = stores.leases
            let now = S.epoch
            #expect(try await leases.acquire("sync", holder: "a", now: now, until: now + 30))
            #expect(try await leases.acquire("sync", holder: "b", now: now + 1, until: now + 31) == false)
            #expect(try await leases.acquire("other", holder: "b", now: now + 1, until: now + 31))
            // Its holder extends it; another is refused until the extended time.
            #expect(try await leases.acquire("sync", holder: "a", now: now + 20, until: now + 50))
            #expect(try await leases.acquire("sync", holder: "b", now: now + 40, until: now + 70) == false)
            // Lapsed: another takes it over, and the former holder is refused.
            #expect(try await leases.acquire("sync", holder: "b", now: now + 51, until: now + 81))
            #expect(try await leases.acquire("sync", holder: "a", now: now + 52, until: now + 82) == false)
            // Only its holder's release frees it.
            try await leases.release("sync", holder: "a")
            #expect(try await leases.acquire("sync", holder: "c", now: now + 53, until: now + 83) == false)
            try await leases.release("sync", holder: "b")
            #expect(try await leases.acquire("sync", holder: "c", now: now + 54, until: now + 84))
        }
    }

    @Test(arguments: StoreFactory.all) func holdersAcquiringTogetherNeverBothGetIt(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let leases = stores.leases
            let now = S.epoch
            let winners = try await withThrowingTaskGroup(of: String?.self) { group in
                for holder in (0..<8).map({ "gateway-\($0)" }) {
                    group.addTask { try await leases.acquire("sync", holder: holder, now: now, until: now + 30) ? holder : nil }
                }
                return try await group.reduce(into: [String]()) { winners, winner in if let winner { winners.append(winner) } }
            }
            #expect(winners.count == 1)
        }
    }
}
