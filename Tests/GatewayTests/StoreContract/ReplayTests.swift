import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// A command handed the values another run minted (`Minted`) stores exactly those: the same
/// answers on a second store whatever its own mint, row ids and catalogue ids included (what
/// shadow mode and migration stand on, DESIGN §6).
@Suite struct ReplayTests {
    typealias S = ContractStores
    static let options = BundledOptions(catalog: S.catalog, users: S.users, flavors: ["LOWEST": "flavor-small"])

    static let commands: [Command] = [
        .createImage([.name: "centos-9", .computeResourceId: 1, .operatingsystemId: 2, .uuid: "3d2b7c2a"]),
        .createImage([.name: "cirros", .status: "queued"]),
        .asJob(JobSpec(action: "CaptureInstance", zone: "ac1", requestId: ""), .captureImage(instance: "i-IN234BH", patch: [.name: "TEST"])),
        .shareImage(ImageSelector(ref: "2"), userIds: ["2", "3"]),
        .prepareUpload(ImageSelector(ref: "2"), size: 10),
        .createApplication(ApplicationDraft(name: "ls-junit", displayName: "test", description: "demo", picture: "p.jpg")),
        .createInstance(InstanceDraft(name: "web-1", displayName: "web", description: nil, userId: 1, applicationId: 1,
                                      flavorConfig: .lowest)),
        .createInstance(InstanceDraft(name: "web-2", displayName: "web", description: nil, userId: 2, applicationId: 1,
                                      flavorConfig: .highest)),
        .createCatalogEntry(.architecture, CatalogPatch(fields: [.name: "aarch64"])),
        .updateImage(ImageSelector(ref: "1"), [.description: "replayed"]),
        .listImages(ImageQuery(sort: [SortKey(.name)])),
    ]

    @Test(arguments: StoreFactory.all) func commandsHandedTheirValuesAnswerTheSameOnASecondStore(_ factory: StoreFactory) async throws {
        let first = try await S.with(.sqlite) { stores in
            let service = GatewayService(stores: stores, options: Self.options, mint: .seeded(15, start: S.epoch))
            var executed: [Executed] = []
            for command in Self.commands { executed.append(try await service.execute(command, as: .anonymousOperator, minted: nil)) }
            return executed
        }
        let second = try await S.with(factory) { stores in
            // Another mint: every value must come from what the first run answered.
            let service = GatewayService(stores: stores, options: Self.options, mint: Mint())
            var executed: [Executed] = []
            for (command, recorded) in zip(Self.commands, first) {
                executed.append(try await service.execute(command, as: .anonymousOperator, minted: recorded.minted))
            }
            return executed
        }
        for (command, (a, b)) in zip(Self.commands, zip(first, second)) {
            #expect(a == b, "\(command)")
        }
        // Not a constant mint: the images got different references and the minted values say so.
        guard case .images(let page) = first.last?.result else { Issue.record("no list"); return }
        #expect(Set(page.items.map(\.image.imageId)).count == 3)
        #expect(first[0].minted.values["imageRef"]?.count == 1 && first[0].minted.rowIds["image"] == [1] && first[0].minted.times.count == 1)
    }

    /// Row ids and catalogue ids are the ones handed, not the store's next; the store's own
    /// next id then follows them (PostgreSQL's identity sequence is kept ahead).
    @Test(arguments: StoreFactory.all) func aStoreWritesTheRowIdsItIsHanded(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let service = GatewayService(stores: stores, options: Self.options)
            func run(_ command: Command, _ minted: Minted? = nil) async throws -> Executed {
                try await service.execute(command, as: .anonymousOperator, minted: minted)
            }
            let image = try await run(.createImage([.name: "handed"]), Minted(rowIds: ["image": [500]]))
            #expect(image.result.imageView?.image.id == 500 && image.minted.rowIds["image"] == [500])
            let next = try await run(.createImage([.name: "next"]))
            #expect(next.result.imageView?.image.id == 501 && next.minted.rowIds["image"] == [501])

            let app = try await run(.createApplication(ApplicationDraft(name: "a", displayName: "", description: "", picture: "")),
                                    Minted(rowIds: ["application": [70]]))
            guard case .application(let application) = app.result else { Issue.record("\(app.result)"); return }
            #expect(application.id == 70)
            let instance = try await run(.createInstance(InstanceDraft(name: "i", displayName: "", description: nil, userId: 1,
                                                                       applicationId: 70, flavorConfig: .lowest)),
                                         Minted(values: ["platformRef": ["r1", "r2", "r3"]], rowIds: ["instance": [90]]))
            guard case .instance(let view) = instance.result else { Issue.record("\(instance.result)"); return }
            #expect(view.instance.id == 90 && view.instance.stackRef == "r1" && view.instance.flavorRef == "r3")

            let shares = try await run(.shareImage(ImageSelector(ref: "500"), userIds: ["2", "3"]),
                                       Minted(values: ["shareId": ["img-share-a", "img-share-b"]], rowIds: ["share": [40, 41]]))
            guard case .shares(let page) = shares.result else { Issue.record("\(shares.result)"); return }
            #expect(page.items.map(\.share.id) == [40, 41] && page.items.map(\.share.shareId) == ["img-share-a", "img-share-b"])

            let entry = try await run(.createCatalogEntry(.architecture, CatalogPatch(fields: [.name: "aarch64"])),
                                      Minted(rowIds: ["catalogue.architecture": [30]]))
            guard case .catalogEntry(let made) = entry.result else { Issue.record("\(entry.result)"); return }
            #expect(made.id == 30 && made.name == "aarch64")
            #expect(try await stores.catalogue.entry(.architecture, id: 30)?.name == "aarch64")
            let nextEntry = try await run(.createCatalogEntry(.architecture, CatalogPatch(fields: [.name: "riscv64"])))
            #expect(nextEntry.minted.rowIds["catalogue.architecture"] == [31])

            let time = S.epoch.addingTimeInterval(1234.5)
            let timed = try await run(.createImage([.name: "timed"]), Minted(times: [time], values: ["imageRef": ["img-handed1"]]))
            #expect(timed.result.imageView?.image.createdAt == time && timed.result.imageView?.image.imageId == "img-handed1")
        }
    }

    /// A handed ref that is taken is not minted again (the records would differ): the command fails.
    @Test func aHandedRefThatIsTakenIsNotReplaced() async throws {
        try await S.with(.sqlite) { stores in
            let service = GatewayService(stores: stores, options: Self.options)
            let handed = Minted(values: ["imageRef": ["img-taken00"]])
            _ = try await service.execute(.createImage([.name: "one"]), as: .anonymousOperator, minted: handed)
            await #expect(throws: CanonicalError.self) {
                try await service.execute(.createImage([.name: "two"]), as: .anonymousOperator, minted: handed)
            }
        }
    }

    /// A handed row id another row holds is refused, in the same words on every store: the
    /// stores have parted, and storing the row under another id would hide it.
    @Test(arguments: StoreFactory.all) func aHandedRowIdThatIsTakenIsAConflict(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let service = GatewayService(stores: stores, options: Self.options)
            func refusal(_ command: Command, _ minted: Minted) async -> CanonicalError? {
                do { _ = try await service.execute(command, as: .anonymousOperator, minted: minted) } catch { return error }
                return nil
            }
            let taken = TakenRowId.error
            _ = try await service.execute(.createImage([.name: "first"]), as: .anonymousOperator)
            #expect(await refusal(.createImage([.name: "second"]), Minted(rowIds: ["image": [1]])) == taken)
            let app = Command.createApplication(ApplicationDraft(name: "a", displayName: "", description: "", picture: ""))
            _ = try await service.execute(app, as: .anonymousOperator)
            #expect(await refusal(.createApplication(ApplicationDraft(name: "b", displayName: "", description: "", picture: "")),
                                  Minted(rowIds: ["application": [1]])) == taken)
            _ = try await service.execute(.createImage([.name: "private", .visibility: "private"]), as: .anonymousOperator)
            _ = try await service.execute(.shareImage(ImageSelector(ref: "2"), userIds: ["2"]), as: .anonymousOperator)
            #expect(await refusal(.shareImage(ImageSelector(ref: "2"), userIds: ["3"]), Minted(rowIds: ["share": [1]])) == taken)
            #expect(await refusal(.createCatalogEntry(.architecture, CatalogPatch(fields: [.name: "aarch64"])),
                                  Minted(rowIds: ["catalogue.architecture": [1]])) == taken)
            // Nothing of a refused command stays.
            #expect(try await stores.images.images(ImageQuery(), reach: .all).total == 2)
            #expect(try await stores.shares.shares(of: try #require(try await stores.images.image(.row(2), reach: .all, within: [])).image.imageId,
                                                   offset: 0, limit: 10).total == 1)
        }
    }
}
