import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// The shadow's comparison as a pure function: two canonical answers, the rules, the
/// differences by canonical field path.
struct CanonicalDiffTests {
    static func answer(_ image: Image) throws -> JSONValue {
        try JSONValueEncoder().encode(CommandResult.image(ImageView(image: image)))
    }

    static let centos: Image = {
        var image = Image(imageId: "img-7ac3e2f1", name: "centos-9", now: Date(timeIntervalSince1970: 1_700_000_000.000_4))
        image.id = 12
        image.password = "Passw0rd"
        return image
    }()

    @Test func equalAnswersHaveNoDifferences() throws {
        #expect(CanonicalDiff().differences(try Self.answer(Self.centos), try Self.answer(Self.centos)).isEmpty)
    }

    @Test func aChangedFieldIsNamedByItsCanonicalPathWithBothValues() throws {
        var renamed = Self.centos
        renamed.name = "centos-9-tampered"
        renamed.size = 1024
        let found = CanonicalDiff().differences(try Self.answer(Self.centos), try Self.answer(renamed))
        #expect(found == [
            FieldDifference(path: "image.name", primary: #""centos-9""#, secondary: #""centos-9-tampered""#),
            FieldDifference(path: "image.size", primary: "0", secondary: "1024"),
        ])
    }

    @Test func aSecretDiffersButNeverShows() throws {
        var other = Self.centos
        other.password = "hunter2"
        let found = CanonicalDiff().differences(try Self.answer(Self.centos), try Self.answer(other))
        #expect(found == [FieldDifference(path: "image.password", primary: #""***""#, secondary: #""***""#)])
    }

    @Test func timesWithinTheToleranceAreEqualAndBeyondItDiffer() throws {
        var truncated = Self.centos
        truncated.createdAt = Date(timeIntervalSince1970: 1_700_000_000) // a store keeping whole milliseconds
        #expect(CanonicalDiff().differences(try Self.answer(Self.centos), try Self.answer(truncated)).isEmpty)
        var later = Self.centos
        later.createdAt = Self.centos.createdAt.addingTimeInterval(2)
        #expect(CanonicalDiff().differences(try Self.answer(Self.centos), try Self.answer(later)).map(\.path) == ["image.createdAt"])
    }

    @Test func rulesIgnoreComparePresenceAndTakeListsUnordered() throws {
        var other = Self.centos
        other.name = "x"
        other.checksum = "d41d8cd98f00b204e9800998ecf8427e"
        other.uuid = "another"
        let rules = DiffRules(ignore: ["image.name"], serverAssigned: ["image.uuid"])
        #expect(CanonicalDiff(rules: rules).differences(try Self.answer(Self.centos), try Self.answer(other)).map(\.path)
            == ["image.checksum"])

        let a: JSONValue = .object(["images": .object(["items": .array([.int(1), .int(2)])])])
        let b: JSONValue = .object(["images": .object(["items": .array([.int(2), .int(1)])])])
        #expect(CanonicalDiff(rules: DiffRules()).differences(a, b).map(\.path) == ["images.items[]", "images.items[]"])
        #expect(CanonicalDiff(rules: DiffRules(unordered: ["images.items"])).differences(a, b).isEmpty)
        let c: JSONValue = .object(["images": .object(["items": .array([.int(2)])])])
        #expect(CanonicalDiff(rules: DiffRules(unordered: ["images.items"])).differences(a, c).map(\.path) == ["images.items"])
    }

    @Test func aJobsProgressIsTheSecondarysOwnAndNotADifference() throws {
        var job = Job(jobId: "job-1", action: "CreateImage", status: .pending, zone: "bj", requestId: "r",
                      resourceIds: ["img-7ac3e2f1"], owner: "u", createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        let a = try JSONValueEncoder().encode(CommandResult.job(job))
        job.status = .successful
        job.beganAt = job.createdAt
        job.finishedAt = job.createdAt.addingTimeInterval(3)
        let b = try JSONValueEncoder().encode(CommandResult.job(job))
        #expect(CanonicalDiff().differences(a, b).isEmpty)
    }
}
