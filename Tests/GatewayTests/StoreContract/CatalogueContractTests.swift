import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// `Catalogue`'s and `ApplicationStore`'s contracts: ids, names, refusals; against every store.
@Suite struct CatalogueContractTests {
    typealias S = ContractStores

    @Test(arguments: StoreFactory.all) func entriesTakeTheNextIdAndUniqueNames(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let catalogue = stores.catalogue
            let made = try await catalogue.insert(CatalogEntry(kind: .operatingsystem, id: 0, name: "Debian", major: "12", now: S.epoch).labelled, unique: [.title])
            #expect(made.id == 3 && made.title == "Debian 12")
            await #expect(throws: CanonicalError.conflict(field: "title", message: "has already been taken")) {
                try await catalogue.insert(CatalogEntry(kind: .operatingsystem, id: 0, name: "Debian", major: "12", now: S.epoch).labelled, unique: [.title])
            }
            await #expect(throws: CanonicalError.conflict(field: "name", message: "has already been taken")) {
                try await catalogue.insert(CatalogEntry(kind: .computeResource, id: 0, name: "libvirt", now: S.epoch), unique: [.name])
            }
            // By name or title, the name first; exact.
            #expect(try await catalogue.entry(.operatingsystem, named: "Debian 12")?.id == 3)
            #expect(try await catalogue.entry(.operatingsystem, named: "debian 12") == nil)
            #expect(try await catalogue.entry(.computeResource, named: "libvirt")?.id == 1)
            // Existence by id, within its kind.
            let found = (try await catalogue.contains(.operatingsystem, id: 3), try await catalogue.contains(.computeResource, id: 1))
            #expect(found == (true, true))
            let missing = (try await catalogue.contains(.operatingsystem, id: 99), try await catalogue.contains(.architecture, id: 99))
            #expect(missing == (false, false))
            // Refused while an image hangs under it.
            _ = try await stores.images.insert(S.image("centos-9", computeResource: 1, os: 2), job: nil, unique: ImageUniqueness.keys)
            #expect(try await stores.images.hasImages(under: .computeResource, id: 1))
            await #expect(throws: CanonicalError.rejected(.inUse, "Cannot delete record because dependent images exist")) {
                try await catalogue.delete(.computeResource, id: 1)
            }
            #expect(try await catalogue.delete(.operatingsystem, id: 3))
            #expect(try await catalogue.delete(.operatingsystem, id: 3) == false)
            let page = try await catalogue.entries(CatalogQuery(kind: .operatingsystem))
            #expect(page.items.map(\.id) == [1, 2] && page.total == 2)
            // Concurrent inserts never share an id.
            let ids = await withTaskGroup(of: Int64?.self) { group in
                for i in 0..<10 {
                    group.addTask { try? await catalogue.insert(CatalogEntry(kind: .architecture, id: 0, name: "arch-\(i)", now: S.epoch), unique: [.name]).id }
                }
                return await group.reduce(into: [Int64]()) { if let id = $1 { $0.append(id) } }
            }
            #expect(Set(ids).count == 10)
        }
    }

    @Test(arguments: StoreFactory.all) func catalogueUniquenessIsTheFieldsGiven(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let catalogue = stores.catalogue
            // No fields: a name may repeat; the fields given are checked in order, within the kind.
            let twin = try await catalogue.insert(CatalogEntry(kind: .computeResource, id: 0, name: "libvirt", now: S.epoch), unique: [])
            #expect(twin.id == 2)
            let vmware = CatalogEntry(kind: .computeResource, id: 0, name: "vmware", provider: "Vmware", now: S.epoch)
            _ = try await catalogue.insert(vmware, unique: [.name, .provider])
            var again = vmware
            again.name = "esxi"
            await #expect(throws: CanonicalError.taken("provider")) { try await catalogue.insert(again, unique: [.name, .provider]) }
            _ = try await catalogue.insert(CatalogEntry(kind: .architecture, id: 0, name: "vmware", now: S.epoch), unique: [.name])
            // An update is checked against the others only.
            var renamed = twin
            renamed.description = "kept"
            await #expect(throws: CanonicalError.taken("name")) { try await catalogue.update(renamed, unique: [.name]) }
            #expect(try await catalogue.update(renamed, unique: [.description]).description == "kept")
        }
    }

    @Test(arguments: StoreFactory.all) func anActiveApplicationsNameIsFreedWhenItIsDeleted(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            var app = try await stores.applications.insert(ImageApplication(name: "ls-junit", displayName: "test", description: "",
                                                                             picture: "p.jpg", owner: "acme", now: S.epoch),
                                                           nameHeldBy: [.actived])
            app.status = .deleted
            _ = try await stores.applications.update(app, whileStatus: .actived, nameHeldBy: [])
            // A change read before the deletion does not bring it back.
            app.status = .actived
            app.displayName = "stale"
            await #expect(throws: CanonicalError.notFound(kind: "application", id: String(app.id!))) {
                try await stores.applications.update(app, whileStatus: .actived, nameHeldBy: [.actived])
            }
            let again = try await stores.applications.insert(ImageApplication(name: "ls-junit", displayName: "again", description: "",
                                                                               picture: "", owner: "acme", now: S.epoch + 1),
                                                             nameHeldBy: [.actived])
            #expect(again.id != app.id)
            let mine = try await stores.applications.applications(ListWindow(keywords: "JUNIT", ascending: true), owner: "acme")
            #expect(mine.items.map(\.displayName) == ["test", "again"] && mine.total == 2)
            #expect(mine.items.map(\.status) == [.deleted, .actived])
            #expect(try await stores.applications.applications(ListWindow(status: "ACTIVED"), owner: "globex").total == 0)
        }
    }

    @Test(arguments: StoreFactory.all) func applicationWritesFollowTheStatusesTheyAreGiven(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            func draft(_ name: String, _ status: ApplicationStatus = .actived) -> ImageApplication {
                var app = ImageApplication(name: name, displayName: name, description: "", picture: "", owner: "acme", now: S.epoch)
                app.status = status
                return app
            }
            // A name held only by the statuses named: none named, none refused.
            _ = try await stores.applications.insert(draft("twin"), nameHeldBy: [])
            var second = try await stores.applications.insert(draft("twin"), nameHeldBy: [])
            await #expect(throws: CanonicalError.taken("name")) {
                try await stores.applications.insert(draft("twin", .deleted), nameHeldBy: [.actived])
            }
            let gone = try await stores.applications.insert(draft("gone", .deleted), nameHeldBy: [.deleted, .actived])
            await #expect(throws: CanonicalError.taken("name")) {
                try await stores.applications.insert(draft("gone"), nameHeldBy: [.deleted])
            }
            // An update is written only from the status given, and checked against other rows only.
            second.displayName = "kept"
            await #expect(throws: CanonicalError.taken("name")) {
                try await stores.applications.update(second, whileStatus: .actived, nameHeldBy: [.actived])
            }
            await #expect(throws: CanonicalError.notFound(kind: "application", id: String(second.id!))) {
                try await stores.applications.update(second, whileStatus: .deleted, nameHeldBy: [])
            }
            var revived = gone
            revived.status = .actived
            _ = try await stores.applications.update(revived, whileStatus: .deleted, nameHeldBy: [.deleted])
            #expect(try await stores.applications.application(gone.id!)?.status == .actived)
        }
    }
}
