import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// `ImageStore`'s contract, run against every store implementation.
@Suite struct ImageStoreContractTests {
    typealias S = ContractStores

    @Test(arguments: StoreFactory.all) func anInsertedImageIsFoundByRowAndReferenceWithinReach(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let made = try await stores.images.insert(S.image("centos-9", ref: "img-centos9a", computeResource: 1, os: 2), job: nil, unique: ImageUniqueness.keys)
            let rowID = try #require(made.image.id)
            #expect(made.computeResourceName == "libvirt")
            #expect(made.operatingsystemName == "CentOS 9")
            #expect(try await stores.images.image(.row(rowID), reach: .all, within: [])?.image.imageId == "img-centos9a")
            #expect(try await stores.images.image(.ref("img-centos9a"), reach: .all, within: [])?.image.id == rowID)
            // References are exact: another case names nothing.
            #expect(try await stores.images.image(.ref("IMG-CENTOS9A"), reach: .all, within: []) == nil)
            // Tenancy: the owner's tenant sees it, another tenant does not, until it is shared with one of its users.
            #expect(try await stores.images.image(.row(rowID), reach: .visible(tenant: "acme", user: "1"), within: []) != nil)
            #expect(try await stores.images.image(.row(rowID), reach: .visible(tenant: "globex", user: "3"), within: []) == nil)
            _ = try await stores.shares.insert([ImageShare(shareId: "img-share-a", imageId: "img-centos9a", userId: "3",
                                                           createdAt: S.epoch, updatedAt: S.epoch)])
            #expect(try await stores.images.image(.row(rowID), reach: .visible(tenant: "globex", user: "3"), within: []) != nil)
            #expect(try await stores.images.image(.row(rowID), reach: .publicOnly, within: []) == nil)
            #expect(try await stores.images.image(.row(rowID), reach: .nonPublic(tenant: "acme"), within: []) != nil)
            // `within`: the parent must match.
            #expect(try await stores.images.image(.row(rowID), reach: .all, within: [.eq(.computeResourceId, 1)]) != nil)
            #expect(try await stores.images.image(.row(rowID), reach: .all, within: [.eq(.computeResourceId, 2)]) == nil)
        }
    }

    @Test(arguments: StoreFactory.all) func aReachIsTheFactsItIsGivenNotATenancyRuleOfTheStore(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let mine = try await stores.images.insert(S.image("mine"), job: nil, unique: [])
            let theirs = try await stores.images.insert(S.image("theirs", owner: "globex", visibility: .public), job: nil, unique: [])
            let shared = try await stores.images.insert(S.image("shared", owner: "globex"), job: nil, unique: [])
            _ = try await stores.shares.insert([ImageShare(shareId: "img-share-r", imageId: shared.image.imageId, userId: "1",
                                                           createdAt: S.epoch, updatedAt: S.epoch)])
            func names(_ reach: ImageReach) async throws -> [String] {
                try await stores.images.images(ImageQuery(sort: [SortKey(.name)]), reach: reach).items.map(\.image.name)
            }
            #expect(try await names(.all) == ["mine", "shared", "theirs"])
            #expect(try await names(.anyOf([])) == [])
            #expect(try await names(.anyOf([[]])) == ["mine", "shared", "theirs"])
            #expect(try await names(.anyOf([[.notPublic, .sharedWith("1")]])) == ["shared"])
            #expect(try await names(.anyOf([[.isPublic, .ownedBy("globex")], [.ownedBy("acme")]])) == ["mine", "theirs"])
            let refs = [mine.image.imageId, theirs.image.imageId, shared.image.imageId]
            let resolved = try await stores.images.resolve(refs, reach: .anyOf([[.sharedWith("1")], [.isPublic]]))
            #expect(resolved.map { $0?.imageId } == [nil, theirs.image.imageId, shared.image.imageId])
            #expect(try await stores.images.image(.row(mine.image.id!), reach: .anyOf([[.ownedBy("acme"), .isPublic]]), within: []) == nil)
        }
    }

    @Test(arguments: StoreFactory.all) func foremanNamesAndUuidsAreUniquePerComputeResource(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            _ = try await stores.images.insert(S.image("centos-9", computeResource: 1, os: 2, uuid: "3d2b7c2a"), job: nil, unique: ImageUniqueness.keys)
            await #expect(throws: CanonicalError.conflict(field: "name", message: "has already been taken")) {
                try await stores.images.insert(S.image("centos-9", computeResource: 1, os: 2), job: nil, unique: ImageUniqueness.keys)
            }
            await #expect(throws: CanonicalError.conflict(field: "uuid", message: "has already been taken")) {
                try await stores.images.insert(S.image("centos-9-copy", computeResource: 1, os: 2, uuid: "3d2b7c2a"), job: nil, unique: ImageUniqueness.keys)
            }
            await #expect(throws: CanonicalError.conflict(field: "imageId", message: "has already been taken")) {
                let first = try await stores.images.insert(S.image("other"), job: nil, unique: ImageUniqueness.keys)
                _ = try await stores.images.insert(S.image("another", ref: first.image.imageId), job: nil, unique: ImageUniqueness.keys)
            }
            // Another operating system, or no compute resource at all: no rule applies. Names compare exactly.
            _ = try await stores.images.insert(S.image("centos-9", computeResource: 1, os: 1), job: nil, unique: ImageUniqueness.keys)
            let upper = try await stores.images.insert(S.image("CENTOS-9", computeResource: 1, os: 2), job: nil, unique: ImageUniqueness.keys)
            _ = try await stores.images.insert(S.image("centos-9"), job: nil, unique: ImageUniqueness.keys)
            _ = try await stores.images.insert(S.image("centos-9"), job: nil, unique: ImageUniqueness.keys)
            // An update is held to the same rules, the image itself excluded.
            var renamed = upper.image
            renamed.name = "centos-9"
            await #expect(throws: CanonicalError.conflict(field: "name", message: "has already been taken")) {
                try await stores.images.update(renamed, fields: [.name], unique: ImageUniqueness.keys)
            }
            await #expect(throws: CanonicalError.conflict(field: "name", message: "has already been taken")) {
                try await stores.images.checkUnique(renamed, keys: ImageUniqueness.keys)
            }
            // Only the named fields are written: the name above is not, so nothing breaks a rule.
            renamed.description = "kept its name"
            let kept = try await stores.images.update(renamed, fields: [.description], unique: ImageUniqueness.keys).image
            #expect(kept.description == "kept its name" && kept.name == "CENTOS-9")
            // A concurrent change of another field survives an update of this one.
            var other = upper.image
            other.minDisk = 20
            _ = try await stores.images.update(other, fields: [.minDisk], unique: ImageUniqueness.keys)
            renamed.description = "again"
            let both = try await stores.images.update(renamed, fields: [.description], unique: ImageUniqueness.keys).image
            #expect(both.minDisk == 20 && both.description == "again")
        }
    }

    @Test(arguments: StoreFactory.all) func uniquenessKeysAreTheCallersAndAnyShapeIsEnforced(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            // No keys: the store holds no rule of its own beyond one image per reference.
            _ = try await stores.images.insert(S.image("twin", computeResource: 1, os: 2), job: nil, unique: [])
            _ = try await stores.images.insert(S.image("twin", computeResource: 1, os: 2), job: nil, unique: [])
            // A key of another shape: a name per owner, refused under its own field; a key whose
            // required field is unset ("") does not apply; nil equals nil.
            let perOwner = ImageUniqueKey(.owner, fields: [.owner, .name, .architectureId], required: [.uuid])
            let first = try await stores.images.insert(S.image("solo", uuid: "u-1"), job: nil, unique: [perOwner])
            await #expect(throws: CanonicalError.taken("owner")) {
                try await stores.images.insert(S.image("solo", uuid: "u-2"), job: nil, unique: [perOwner])
            }
            _ = try await stores.images.insert(S.image("solo"), job: nil, unique: [perOwner])
            _ = try await stores.images.insert(S.image("solo", owner: "globex", uuid: "u-3"), job: nil, unique: [perOwner])
            // Keys are checked in order: the first one broken names the refusal.
            let byUuid = ImageUniqueKey(.uuid, fields: [.uuid], required: [.uuid])
            await #expect(throws: CanonicalError.taken("uuid")) {
                try await stores.images.insert(S.image("solo", uuid: "u-1"), job: nil, unique: [byUuid, perOwner])
            }
            var changed = first.image
            changed.uuid = "u-3"
            await #expect(throws: CanonicalError.taken("uuid")) { try await stores.images.checkUnique(changed, keys: [byUuid]) }
            // Now that its uuid is set, the image without one holds the same owner, name and nil.
            await #expect(throws: CanonicalError.taken("owner")) { try await stores.images.checkUnique(changed, keys: [perOwner]) }
            // An update is checked as it leaves the row: the owner not written stays the stored one.
            changed.uuid = "u-9"
            changed.owner = "initech"
            await #expect(throws: CanonicalError.taken("owner")) {
                try await stores.images.update(changed, fields: [.uuid], unique: [perOwner])
            }
            let moved = try await stores.images.update(changed, fields: [.uuid, .owner], unique: [perOwner, byUuid]).image
            #expect(moved.owner == "initech" && moved.uuid == "u-9")
            // The image itself is excluded.
            try await stores.images.checkUnique(moved, keys: [perOwner, byUuid])
        }
    }

    @Test(arguments: StoreFactory.all) func ofConcurrentCreatesOfOneForemanNameExactlyOneSucceeds(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let images = stores.images
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask { (try? await images.insert(S.image("race", computeResource: 1, os: 2), job: nil, unique: ImageUniqueness.keys)) != nil }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let stored = try await images.images(ImageQuery(filters: [.eq(.name, "race")]), reach: .all)
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(stored.total == 1)
        }
    }

    @Test(arguments: StoreFactory.all) func listsFilterSortAndPageWithoutOverlap(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            for (i, name) in ["debian-12", "CentOS-9", "centos-7", "ubuntu-24.04", "alma_9", "rocky-9", "fedora-41", "arch", "suse"].enumerated() {
                var image = S.image(name, visibility: i % 3 == 0 ? .public : .private, at: S.epoch + Double(i))
                image.minDisk = Int64(i % 4)
                _ = try await stores.images.insert(image, job: nil, unique: ImageUniqueness.keys)
            }
            let images = stores.images
            func names(_ query: ImageQuery, _ reach: ImageReach = .all) async throws -> [String] {
                try await images.images(query, reach: reach).items.map(\.image.name)
            }
            // Text filters fold ASCII case; `contains` takes `_` literally; `in` is exact.
            #expect(try await names(ImageQuery(filters: [.eq(.name, "centos-9")])) == ["CentOS-9"])
            #expect(try await names(ImageQuery(filters: [ImageCondition(.name, .contains, ["CENTOS"])], sort: [SortKey(.name)])) == ["CentOS-9", "centos-7"])
            #expect(try await names(ImageQuery(filters: [ImageCondition(.name, .contains, ["a_"])])) == ["alma_9"])
            #expect(try await names(ImageQuery(filters: [ImageCondition(.name, .in, ["centos-9", "arch"])])) == ["arch"])
            // A search word: a part of the name, case folded.
            #expect(try await names(ImageQuery(searchWord: "OS-", sort: [SortKey(.name)])) == ["CentOS-9", "centos-7"])
            // Binary order by name, NULL-free; the row id breaks ties; windows never overlap.
            let all = try await names(ImageQuery(sort: [SortKey(.name)]))
            #expect(all == all.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
            for sort in [[SortKey(.name)], [SortKey(.minDisk, descending: true)], [SortKey(.minDisk), SortKey(.name, descending: true)], []] {
                let whole = try await images.images(ImageQuery(sort: sort), reach: .all)
                #expect(whole.total == 9)
                for limit in [1, 2, 4] {
                    var paged: [Int64?] = []
                    for offset in stride(from: 0, to: 9, by: limit) {
                        let page = try await images.images(ImageQuery(sort: sort, offset: offset, limit: limit), reach: .all)
                        #expect(page.total == 9)
                        paged += page.items.map(\.image.id)
                    }
                    #expect(paged == whole.items.map(\.image.id))
                }
            }
            // Reach and the collection's own size.
            let visible = try await images.images(ImageQuery(filters: [.eq(.name, "arch")], countsScope: true), reach: .publicOnly)
            #expect(visible.total == 0 && visible.scopeTotal == 3)
            #expect(try await images.images(ImageQuery(offset: 20, limit: 5), reach: .all) == ImagePage(items: [], total: 9))
        }
    }
}
