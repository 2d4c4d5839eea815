import GatewayHTTP
import Testing

/// Seed 002's endpoints, driven by the requests and answers of Fixtures/foreman.json.
@Suite struct ForemanSeedTests {
    let seeds: [String: SeedCase]
    init() throws { seeds = try SeedCase.load("foreman") }

    static let imageFacts = ["name", "uuid", "username", "user_data", "compute_resource_id", "compute_resource_name",
                             "operatingsystem_id", "operatingsystem_name", "architecture_id", "architecture_name"]

    @Test func createListShowUpdateDeleteAsTheSeedShows() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            let create = seeds["create-image-json"]!
            let created = try await create.send(client)
            expectConforms(created, to: create, equal: Self.imageFacts)
            guard case .int(let id)? = created["id"] else { Issue.record("no id"); return }

            // Two more images under the same compute resource, so total ≠ subtotal.
            for name in ["debian-12", "ubuntu-24"] {
                let other = try await client.send(.post, "/api/compute_resources/1/images", body: .json(
                    ["image": ["name": .string(name), "username": "root", "uuid": .string("uuid-\(name)")]]))
                #expect(other.status == 201)
            }

            let list = seeds["list-images"]!
            let listed = try await list.send(client)
            expectConforms(listed, to: list, equal: ["total", "subtotal", "page", "per_page", "search", "sort",
                                                     "results.0.name", "results.0.uuid", "results.0.compute_resource_name"])

            let show = seeds["show-image-under-os"]!
            expectConforms(try await show.at("/api/operatingsystems/2/images/\(id)").send(client), to: show,
                           equal: Self.imageFacts)

            let update = seeds["update-image"]!
            expectConforms(try await update.at("/api/compute_resources/1/images/\(id)").send(client), to: update,
                           equal: Self.imageFacts)

            let delete = seeds["delete-image"]!
            expectConforms(try await delete.at("/api/compute_resources/1/images/\(id)").send(client), to: delete,
                           equal: Self.imageFacts)

            let gone = try await client.send(.get, "/api/compute_resources/1/images/\(id)")
            #expect(gone.status == 404)
            #expect(gone["error"]?["message"] == .string("Resource image not found by id '\(id)'"))
        }
    }

    @Test func createFromFormFields() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seed = seeds["create-image-form"]!
        try await gateway.run { client in
            expectConforms(try await seed.send(client), to: seed, equal: Self.imageFacts)
        }
    }

    @Test func notFoundAndValidationErrorsInForemansShape() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let notFound = seeds["not-found"]!, invalid = seeds["validation-error"]!
        try await gateway.run { client in
            expectConforms(try await notFound.send(client), to: notFound, equal: ["error.message"])
            expectConforms(try await invalid.send(client), to: invalid, equal: ["error"])
        }
    }

    @Test func duplicateNameIsA422AndChangesNothing() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let create = seeds["create-image-json"]!
        try await gateway.run { client in
            #expect(try await create.send(client).status == 201)
            let again = try await create.send(client)
            #expect(again.status == 422)
            #expect(again["error"]?["full_messages"] == ["Name has already been taken"])
            let list = try await client.send(.get, "/api/compute_resources/1/images")
            #expect(list["total"] == 1)
        }
    }

    @Test func searchOperatorsOrderAndPaging() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            for (name, user) in [("alpha", "root"), ("beta", "admin"), ("gamma", "root")] {
                let r = try await client.send(.post, "/api/v2/compute_resources/1/images", headers: ["Accept": "version=2"],
                                              body: .form([("image[name]", name), ("image[username]", user),
                                                           ("image[uuid]", "u-\(name)"), ("image[user_data]", "true")]))
                #expect(r.status == 201)
            }
            let root = try await client.send(.get, "/api/compute_resources/1/images",
                                             query: [("search", "username = root and name ~ a"), ("order", "name DESC")])
            #expect(root["subtotal"] == 2)
            #expect(root["total"] == 3)
            #expect(lookup(root.json!, "results.0.name") == "gamma")
            #expect(lookup(root.json!, "results.1.name") == "alpha")

            let page2 = try await client.send(.get, "/api/compute_resources/1/images",
                                              query: [("per_page", "2"), ("page", "2"), ("order", "name")])
            #expect(page2["results"] == .array([lookup(page2.json!, "results.0")!]))
            #expect(lookup(page2.json!, "results.0.name") == "gamma")

            let all = try await client.send(.get, "/api/compute_resources/1/images", query: [("per_page", "4294967296")])
            if case .array(let items)? = all["results"] { #expect(items.count == 3) } else { Issue.record("no results") }

            // GET with the search in a JSON body, as some clients send it.
            let body = try await client.send(.get, "/api/compute_resources/1/images", body: .json(["search": "name = beta"]))
            #expect(body["subtotal"] == 1)

            let byCR = try await client.send(.get, "/api/compute_resources/1/images", query: [("search", "compute_resource = libvirt")])
            #expect(byCR["subtotal"] == 3)

            let bad = try await client.send(.get, "/api/compute_resources/1/images", query: [("search", "colour = red")])
            #expect(bad.status == 400)
            #expect(bad["error"]?["message"] != nil)
        }
    }

    @Test func identifiersAreValidated() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let bad = try await client.send(.get, "/api/compute_resources/1/images/%20x")
            #expect(bad.status == 422)
            #expect(bad["error"]?["errors"]?["id"] != nil)
            let unknownParent = try await client.send(.get, "/api/compute_resources/77/images")
            #expect(unknownParent.status == 404)
            #expect(unknownParent["error"]?["message"] == "Resource compute_resource not found by id '77'")
        }
    }

    @Test func showUnderTheWrongParentIsNotFound() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let create = seeds["create-image-json"]!
        try await gateway.run { client in
            let created = try await create.send(client)
            guard case .int(let id)? = created["id"] else { Issue.record("no id"); return }
            #expect(try await client.send(.get, "/api/architectures/1/images/\(id)").status == 200)
            #expect(try await client.send(.get, "/api/architectures/2/images/\(id)").status == 404)
        }
    }
}
