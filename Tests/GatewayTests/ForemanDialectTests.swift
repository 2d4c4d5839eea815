import Dialects
import Foundation
@testable import IMSModel
import Testing

/// Foreman as pure functions: each seed example of `foreman.json` decoded and answered with no
/// server, in the seed's terms.
@Suite struct ForemanDialectTests {
    /// "centos-9" under compute resource 1 (libvirt), operating system 2 (CentOS 9), architecture 1 (x86_64).
    static func image(_ name: String = "centos-9") -> ImageView {
        var image = Image(imageId: "img-abcd1234", name: name, now: Date(timeIntervalSince1970: 1_568_212_453))
        image.id = 1
        image.username = "root"
        image.uuid = "3d2b7c2a-1c8f-4a51-9d55-4b8c0f5c1a77"
        (image.computeResourceId, image.operatingsystemId, image.architectureId) = (1, 2, 1)
        return ImageView(image: image, computeResourceName: "libvirt", operatingsystemName: "CentOS 9", architectureName: "x86_64")
    }

    static let underComputeResource1 = [ImageCondition.eq(.computeResourceId, .int(1))]
    static let created: ImagePatch = [.name: "centos-9", .username: "root", .uuid: "3d2b7c2a-1c8f-4a51-9d55-4b8c0f5c1a77",
                                      .architectureId: 1, .operatingsystemId: 2, .computeResourceId: 1]
    static let facts = ConformanceCase.foremanFacts

    static let table = DialectSeedTable(dialect: ForemanDialect(), name: "foreman", cases: [
        "create-image-json": .init(outcome: .answers(.createImage(created), .image(image())), equal: facts),
        "create-image-form": .init(outcome: .answers(.createImage(created), .image(image())), equal: facts),
        "list-images": .init(outcome: .answers(
            .listImages(ImageQuery(scope: .visible, base: underComputeResource1, filters: [.eq(.name, "centos-9")],
                                   sort: [SortKey(.name, descending: true)], offset: 0, limit: 20, countsScope: true)),
            .images(ImagePage(items: [image()], total: 1, scopeTotal: 3))),
            equal: ["total", "subtotal", "page", "per_page", "search", "sort"] + facts.map { "results.0." + $0 }),
        "show-image-under-os": .init(outcome: .answers(
            .getImage(ImageSelector(ref: "1", within: [.eq(.operatingsystemId, .int(2))])), .image(image())), equal: facts),
        "update-image": .init(outcome: .answers(
            .updateImage(ImageSelector(ref: "1", within: underComputeResource1), [.name: "centos-9b"]), .image(image("centos-9b"))),
            equal: facts),
        "delete-image": .init(outcome: .answers(.deleteImage(ImageSelector(ref: "1", within: underComputeResource1)),
                                                .image(image("centos-9b"))), equal: facts),
        "not-found": .init(outcome: .fails(.getImage(ImageSelector(ref: "42", within: underComputeResource1)),
                                           .notFound(kind: "image", id: "42")), equal: ["error"]),
        "validation-error": .init(outcome: .refused(.invalidParameter(field: "username", message: "can't be blank")), equal: ["error"]),
    ])

    @Test func everySeedExampleDecodesAndAnswersAsTheSeedShows() throws {
        try Self.table.check()
    }

    @Test func theEncoderAnswersEachOperationItsOwnResultAndNothingElse() {
        expectTotalEncoder(ForemanDialect(), answers: [
            .imageList: "images", .imageGet: "image", .imageCreate: "image", .imageUpdate: "image", .imageDelete: "image",
            .catalogList: "catalogEntries", .catalogGet: "catalogEntry", .catalogCreate: "catalogEntry",
            .catalogUpdate: "catalogEntry", .catalogDelete: "catalogEntry",
        ])
    }

    /// What an index answer echoes (`page`, `per_page`, `search`, `sort`, `thin`) comes from the
    /// decoder: the encoder is given the result and the echo, never the request.
    @Test func anIndexEchoesWhatTheDecoderRead() throws {
        let dialect = ForemanDialect()
        let seed = try #require(try SeedCase.load("foreman")["list-images"])
        var everything = seed
        everything.query = [("order", "name"), ("per_page", "all"), ("page", "3")]
        let decoded = try dialect.decode(try DialectSeedTable.request(everything))
        #expect(decoded.echo.everything && decoded.echo.page == 3 && decoded.echo.order == "name" && decoded.echo.search == nil)
        let answer = try dialect.encode(.images(ImagePage(items: [Self.image()], total: 1, scopeTotal: 5)), for: decoded.echo)
        #expect(answer.body?["per_page"] == 5 && answer.body?["page"] == 3 && answer.body?["search"] == .null)
        #expect(answer.body?["sort"] == ["by": "name", "order": "ASC"])

        var catalogue = seed.at("/api/operatingsystems")
        catalogue.query = [("thin", "true")]
        let thin = try dialect.decode(try DialectSeedTable.request(catalogue))
        #expect(thin.echo.thin && thin.echo.pageSize == 20)
        let entry = CatalogEntry(kind: .operatingsystem, id: 2, name: "CentOS", major: "9", family: "Redhat",
                                 now: Date(timeIntervalSince1970: 1_568_212_453))
        let listed = try dialect.encode(.catalogEntries(CatalogPage(items: [entry], total: 1, scopeTotal: 1)), for: thin.echo)
        #expect(listed.body?["results"] == [["id": 2, "name": "CentOS", "title": .string(entry.title)]])
    }
}
