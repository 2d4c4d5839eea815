import Foundation
@testable import IMSModel
@testable import IMSStoreSQLite
import Testing

/// Bad input to the catalogue resources gets Foreman's own errors and changes nothing; only an
/// operator changes the catalogue; the config's entries come back at start, API-made ones stay.
@Suite struct ForemanCatalogInputTests {
    @Test func badBodiesAndUnknownEntriesAreForemansErrors() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let notHash = try await client.send(.post, "/api/architectures", body: .json(["architecture": "riscv64"]))
            #expect(notHash.status == 422 && notHash["error"]?["errors"]?["architecture"] == ["must be a Hash"])
            let listMajor = try await client.send(.post, "/api/operatingsystems", body: .json(["operatingsystem": ["name": "Alpine", "major": [3]]]))
            #expect(listMajor.status == 422 && listMajor["error"]?["errors"]?["major"] == ["must be a String"])
            let broken = try await client.send(.post, "/api/architectures", body: .raw("{\"architecture\":", contentType: "application/json"))
            #expect(broken.status == 400 && broken["error"]?["message"] != nil)
            let unknown = try await client.send(.put, "/api/operatingsystems/Plan9", body: .json(["operatingsystem": ["minor": "1"]]))
            #expect(unknown.status == 404 && unknown["error"]?["message"] == "Resource operatingsystem not found by id 'Plan9'")
            let badId = try await client.send(.get, "/api/compute_resources/a$b")
            #expect(badId.status == 422)
            let taken = try await client.send(.post, "/api/operatingsystems", body: .json(["operatingsystem": ["name": "Debian", "major": "12"]]))
            #expect(taken.status == 422 && taken["error"]?["full_messages"] == ["Title has already been taken"])
            // Form fields, as `operatingsystem[name]=…`.
            let form = try await client.send(.post, "/api/operatingsystems", body: .form([
                ("operatingsystem[name]", "Rocky"), ("operatingsystem[major]", "9"), ("operatingsystem[minor]", "4")]))
            #expect(form.status == 201 && form["title"] == "Rocky 9.4")
            let all = try await client.send(.get, "/api/operatingsystems", query: [("per_page", "all")])
            #expect(all["total"] == 3 && all["subtotal"] == 3)
            let root = try await client.send(.get, "/", auth: .none)
            #expect(root.status == 302 && root.headers[.location] == "/users/login")
        }
    }

    @Test func parentsInThePathMayBeNamedByNameOrTitle() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let created = try await client.send(.post, "/api/compute_resources/libvirt/images", body: .json(
                ["image": ["name": "by-name", "username": "root", "uuid": "u-by-name", "operatingsystem_id": 1, "architecture_id": 1]]))
            #expect(created.status == 201 && created["compute_resource_id"] == 1 && created["compute_resource_name"] == "libvirt")
            for parent in ["/api/operatingsystems/Debian 12", "/api/operatingsystems/Debian", "/api/architectures/x86_64"] {
                let listed = try await client.send(.get, "\(parent)/images")
                #expect(listed.status == 200 && listed["subtotal"] == 1, "\(parent)")
            }
            let missing = try await client.send(.get, "/api/compute_resources/nosuch/images")
            #expect(missing.status == 404 && missing["error"]?["message"] == "Resource compute_resource not found by id 'nosuch'")
            let createMissing = try await client.send(.post, "/api/compute_resources/nosuch/images", body: .json(
                ["image": ["name": "x", "username": "root", "uuid": "u-x"]]))
            #expect(createMissing.status == 404)
        }
    }

    @Test func onlyAnOperatorChangesTheCatalogue() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let tenant = Identity(user: "u1", tenant: "t1")
        await #expect(throws: CanonicalError.forbidden("only an operator may change the catalogue")) {
            try await store.execute(.createCatalogEntry(.architecture, CatalogPatch(fields: [.name: "riscv64"])), as: tenant)
        }
        await #expect(throws: CanonicalError.self) {
            try await store.execute(.deleteCatalogEntry(CatalogSelector(.architecture, "1")), as: tenant)
        }
        let listed = try await store.execute(.listCatalog(CatalogQuery(kind: .architecture)), as: tenant)
        guard case .catalogEntries(let page) = listed else { Issue.record("not a catalogue page"); return }
        #expect(page.items.map(\.name) == ["x86_64", "aarch64"])
    }

    @Test func theConfigsEntriesReturnAtStartAndApiMadeOnesStay() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        do {
            let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
            _ = try await store.execute(.createCatalogEntry(.architecture, CatalogPatch(fields: [.name: "riscv64"])), as: .anonymousOperator)
            _ = try await store.execute(.updateCatalogEntry(CatalogSelector(.architecture, "x86_64"), CatalogPatch(fields: [.name: "amd64"])),
                                        as: .anonymousOperator)
        }
        let reopened = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        let listed = try await reopened.execute(.listCatalog(CatalogQuery(kind: .architecture)), as: .anonymousOperator)
        guard case .catalogEntries(let page) = listed else { Issue.record("not a catalogue page"); return }
        #expect(page.items.map(\.name) == ["x86_64", "aarch64", "riscv64"])
    }
}
