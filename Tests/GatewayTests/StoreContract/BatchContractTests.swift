import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// All-or-nothing changes (51idc's batch delete, htaiyun's instance delete and members,
/// CECSTACK's shares), alone and under concurrency, against every store.
@Suite struct BatchContractTests {
    typealias S = ContractStores

    @Test(arguments: StoreFactory.all) func aBatchDeleteWithOneMissingOrSharedImageDeletesNothing(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            var ids: [String] = []
            for i in 0..<5 { ids.append(try await stores.images.insert(S.image("batch-\(i)"), job: nil, unique: ImageUniqueness.keys).image.imageId) }
            #expect(try await stores.images.deleteAll(ids + ["img-missing"], unless: [.shared]) == false)
            _ = try await stores.shares.insert([ImageShare(shareId: "img-share-b", imageId: ids[4], userId: "2",
                                                           createdAt: S.epoch, updatedAt: S.epoch)])
            #expect(try await stores.images.deleteAll(ids, unless: [.shared]) == false)
            #expect(try await stores.images.images(ImageQuery(), reach: .all).total == 5)
            // Resolving: a number is a row id first; unknown refs answer nil; sharing is reported.
            let first = try #require(try await stores.images.image(.ref(ids[0]), reach: .all, within: [])?.image)
            let resolved = try await stores.images.resolve([String(first.id!), ids[4], "img-missing", ids[0]], reach: .all)
            #expect(resolved.map { $0?.imageId } == [ids[0], ids[4], nil, ids[0]])
            #expect(resolved.map { $0?.isShared } == [false, true, nil, false])
            #expect(try await stores.images.resolve([ids[0]], reach: .visible(tenant: "globex", user: "3")) == [nil])
            // Ids given twice count once.
            #expect(try await stores.images.deleteAll([ids[0], ids[1], ids[0]], unless: [.shared]))
            #expect(try await stores.images.images(ImageQuery(), reach: .all).total == 3)
            // The holds are the caller's: with none, a shared image is deleted too.
            #expect(try await stores.images.deleteAll([ids[4]], unless: []))
            #expect(try await stores.images.images(ImageQuery(), reach: .all).total == 2)
        }
    }

    @Test(arguments: StoreFactory.all) func overlappingBatchDeletesRacingEachDeleteAllOrNothing(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            var ids: [String] = []
            for i in 0..<30 { ids.append(try await stores.images.insert(S.image("race-\(i)"), job: nil, unique: ImageUniqueness.keys).image.imageId) }
            let images = stores.images
            // Ten batches of 12, each overlapping the next by 9: a deleted image makes every
            // other batch holding it fail whole.
            let batches = (0..<10).map { Array(ids[($0 * 3)..<min($0 * 3 + 12, 30)]) }
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for (i, batch) in batches.enumerated() { group.addTask { (i, (try? await images.deleteAll(batch, unless: [.shared])) ?? false) } }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            let left = Set(try await images.images(ImageQuery(), reach: .all).items.map(\.image.imageId))
            var expected = Set(ids)
            for (i, deleted) in outcomes where deleted { expected.subtract(batches[i]) }
            #expect(left == expected)
            #expect(outcomes.values.contains(true))
            for (i, deleted) in outcomes where !deleted { #expect(!batches[i].allSatisfy { left.contains($0) }) }
        }
    }

    @Test(arguments: StoreFactory.all) func sharesAreMadeAndWithdrawnAllOrNothing(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let imageId = try await stores.images.insert(S.image("shared"), job: nil, unique: ImageUniqueness.keys).image.imageId
            func share(_ id: String, _ user: String) -> ImageShare {
                ImageShare(shareId: id, imageId: imageId, userId: user, createdAt: S.epoch, updatedAt: S.epoch)
            }
            let made = try await stores.shares.insert([share("img-share-1", "1")])
            #expect(made.map(\.userName) == ["zhangsan"])
            await #expect(throws: CanonicalError.rejected(.alreadyShared, "image \(imageId) is already shared with 1")) {
                try await stores.shares.insert([share("img-share-2", "2"), share("img-share-3", "1")])
            }
            #expect(try await stores.shares.shares(of: imageId, offset: 0, limit: 10).total == 1)
            await #expect(throws: CanonicalError.rejected(.notShared, "image \(imageId) is not shared with 2")) {
                try await stores.shares.delete(imageId: imageId, userIds: ["1", "2"])
            }
            #expect(try await stores.shares.received(by: "1", offset: 0, limit: 10, newestFirst: true).items.first?.image?.image.name == "shared")
            #expect(try await stores.shares.delete(imageId: imageId, userIds: ["1"]).count == 1)
            #expect(try await stores.shares.received(by: nil, offset: 0, limit: 10, newestFirst: false).total == 0)
            // Concurrent shares of one pair: exactly one is made.
            let shares = stores.shares
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<10 { group.addTask { (try? await shares.insert([share("img-share-r\(i)", "3")])) != nil } }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
        }
    }

    @Test(arguments: StoreFactory.all) func instancesAreDeletedAndMembersRemovedAllOrNothing(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let app = try await stores.applications.insert(ImageApplication(name: "ls-junit", displayName: "test", description: "demo",
                                                                             picture: "p.jpg", owner: "acme", now: S.epoch),
                                                           nameHeldBy: [.actived])
            await #expect(throws: CanonicalError.conflict(field: "name", message: "has already been taken")) {
                try await stores.applications.insert(ImageApplication(name: "ls-junit", displayName: "again", description: "",
                                                                       picture: "", owner: "globex", now: S.epoch),
                                                     nameHeldBy: [.actived])
            }
            var ids: [Int64] = []
            for name in ["web-1", "web-2"] {
                let instance = ApplicationInstance(
                    id: nil, name: name, displayName: name, description: nil, userId: 1, applicationId: app.id!, flavorConfig: .lowest,
                    status: .actived, owner: "acme", stackRef: "a", stackName: "s", stackId: "i", serverRef: "b", serverName: "s",
                    serverId: "i", flavorRef: "c", flavorId: "f", createdAt: S.epoch, updatedAt: S.epoch)
                ids.append(try await stores.instances.insert(instance).instance.id!)
            }
            #expect(try await stores.instances.markDeleted(ids + [999], at: S.epoch) == nil)
            #expect(try await stores.instances.instance(ids[0])?.instance.status == .actived)
            try await stores.instances.addMembers(ids[0], [1, 2], at: S.epoch)
            #expect(try await stores.instances.removeMembers(ids[0], [2, 3]) == 3)
            #expect(try await stores.instances.members(ids[0], ListWindow(ascending: true)).total == 2)
            #expect(try await stores.instances.removeMembers(ids[0], [2]) == nil)
            #expect(try await stores.instances.markDeleted(ids, at: S.epoch + 1)?.map(\.instance.status) == [.deleted, .deleted])
            #expect(try await stores.instances.markDeleted([ids[0]], at: S.epoch + 2) == nil)
            // A change read before the deletion does not bring it back.
            var stale = try #require(try await stores.instances.instance(ids[1])).instance
            stale.status = .actived
            await #expect(throws: CanonicalError.notFound(kind: "instance", id: String(ids[1]))) {
                try await stores.instances.update(stale)
            }
        }
    }
}
