import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// How image conditions treat unset fields, empty lists, numbers, search words and boolean
/// trees: the details SQL dialects disagree on (NULL in NOT, `%` in LIKE), pinned for every store.
@Suite struct ImageFilterContractTests {
    typealias S = ContractStores

    @Test(arguments: StoreFactory.all) func conditionsTreatUnsetFieldsListsAndNumbersAlike(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            // Two under Foreman's libvirt (CentOS 9, then CentOS 7), two under no compute resource.
            _ = try await stores.images.insert(S.image("centos-9", computeResource: 1, os: 2), job: nil, unique: ImageUniqueness.keys)
            _ = try await stores.images.insert(S.image("centos-7", computeResource: 1, os: 1), job: nil, unique: ImageUniqueness.keys)
            var big = S.image("100%_disk")
            big.minDisk = 40
            _ = try await stores.images.insert(big, job: nil, unique: ImageUniqueness.keys)
            _ = try await stores.images.insert(S.image("ab"), job: nil, unique: ImageUniqueness.keys)
            let images = stores.images
            func names(_ filters: [ImageCondition] = [], match: Match<ImageCondition>? = nil, word: String? = nil) async throws -> [String] {
                try await images.images(ImageQuery(filters: filters, searchWord: word, sort: [SortKey(.name)], match: match), reach: .all)
                    .items.map(\.image.name)
            }
            // `ne` and `notIn` match an unset field; `eq null` is IS NULL.
            #expect(try await names([ImageCondition(.computeResourceId, .ne, [1])]) == ["100%_disk", "ab"])
            #expect(try await names([ImageCondition(.operatingsystemId, .notIn, [2])]) == ["100%_disk", "ab", "centos-7"])
            #expect(try await names([.eq(.computeResourceId, .null)]) == ["100%_disk", "ab"])
            // Empty lists: `in` matches nothing, `notIn` everything.
            #expect(try await names([ImageCondition(.name, .in, [])]) == [])
            #expect(try await names([ImageCondition(.name, .notIn, [])]).count == 4)
            // Numbers compare as numbers.
            #expect(try await names([ImageCondition(.minDisk, .ge, [40])]) == ["100%_disk"])
            #expect(try await names([ImageCondition(.minDisk, .lt, [40])]) == ["ab", "centos-7", "centos-9"])
            // The catalogue's names compare their titles, folding case.
            #expect(try await names([.eq(.operatingsystemName, "centos 9")]) == ["centos-9"])
            // NOT of a comparison with an unset field matches it; OR and an empty AND.
            #expect(try await names(match: .not(.condition(.eq(.operatingsystemId, 2)))) == ["100%_disk", "ab", "centos-7"])
            #expect(try await names(match: .any([.condition(.eq(.name, "AB")), .condition(ImageCondition(.minDisk, .gt, [10]))]))
                == ["100%_disk", "ab"])
            #expect(try await names(match: .all([])).count == 4)
            #expect(try await names(match: .any([])) == [])
            // Search words: `%` and `_` are literal, a short word scans, a reference matches exactly.
            #expect(try await names(word: "%_") == ["100%_disk"])
            #expect(try await names(word: "0%") == ["100%_disk"])
            #expect(try await names(word: "AB") == ["ab"])
            #expect(try await names(word: "OS-") == ["centos-7", "centos-9"])
            let ref = try #require(try await images.images(ImageQuery(filters: [.eq(.name, "ab")]), reach: .all).items.first).image.imageId
            #expect(try await names(word: ref) == ["ab"])
            #expect(try await names(word: ref.uppercased()) == [])
        }
    }
}
