import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// `Directory`'s contract against every store: seeding again (a restart, N gateways) keeps a
/// user's times; a migration reads every user in id order and puts them exactly as given.
@Suite struct DirectoryContractTests {
    typealias S = ContractStores

    @Test(arguments: StoreFactory.all) func seedingAgainKeepsTimesAndPutStoresThemAsGiven(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let directory = stores.directory
            let first = try #require(try await directory.user(2))
            var renamed = User(id: 2, username: "lisi", name: "Li Si (renamed)", tenant: "acme", now: S.epoch.addingTimeInterval(3600))
            try await directory.seed([renamed])
            let reseeded = try #require(try await directory.user(2))
            #expect(reseeded.name == "Li Si (renamed)")
            #expect(reseeded.createdAt == first.createdAt && reseeded.updatedAt == first.updatedAt)

            renamed.createdAt = S.epoch.addingTimeInterval(-86_400)
            try await directory.put([renamed])
            #expect(try await directory.user(2) == renamed)

            #expect(try await directory.users(after: .min, limit: 10).map(\.id) == [1, 2, 3])
            #expect(try await directory.users(after: 1, limit: 1).map(\.id) == [2])
        }
    }
}
