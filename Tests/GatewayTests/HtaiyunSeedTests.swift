import GatewayHTTP
import Testing

/// Seed 000's image-application endpoints (Fixtures/htaiyun.json).
@Suite struct HtaiyunSeedTests {
    let seeds: [String: SeedCase]
    init() throws { seeds = try SeedCase.load("htaiyun") }

    static let facts = ["status", "message", "links", "result.status", "result.name", "result.displayName",
                        "result.description", "result.picture", "result.links"]

    @Test func createGetUpdateListDelete() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            let create = seeds["create-image-application"]!
            let created = try await create.send(client)
            expectConforms(created, to: create, equal: Self.facts)
            guard case .int(let id)? = lookup(created.json!, "result.unique") else { Issue.record("no unique"); return }

            let get = seeds["get-image-application"]!
            expectConforms(try await get.at("/v1/openstack/image/application/\(id)/get").send(client), to: get, equal: Self.facts)

            let update = seeds["update-image-application"]!
            expectConforms(try await update.at("/v1/openstack/image/application/\(id)/update").send(client), to: update,
                           equal: Self.facts)

            // The seed's list entity has a string `unique` (a Mongo id) where get has a number:
            // ours are numbers throughout, so compare against the get answer's type.
            var list = seeds["list-image-applications"]!
            if case .object(var body) = list.answer, case .object(var result)? = body["result"],
               case .array(var entities)? = result["entities"], case .object(var first) = entities[0] {
                first["unique"] = 1
                entities[0] = .object(first)
                result["entities"] = .array(entities)
                body["result"] = .object(result)
                list.answer = .object(body)
            }
            let listed = try await list.send(client)
            expectConforms(listed, to: list, equal: ["status", "message", "result.hasPrevious", "result.hasNext",
                                                     "result.entities.0.imageName"])
            #expect(lookup(listed.json!, "result.total") == 1)

            let delete = seeds["delete-image-application"]!
            let deleted = try await delete.at("/v1/openstack/image/application/\(id)/delete").send(client)
            expectConforms(deleted, to: delete, equal: ["status", "message"])
            #expect(deleted["result"] == nil)

            let active = try await client.send(.get, "/v1/openstack/image/application/list")
            #expect(lookup(active.json!, "result.total") == 0)
            let all = try await client.send(.get, "/v1/openstack/image/application/list", query: [("status", "ALL_STATUS")])
            #expect(lookup(all.json!, "result.entities.0.status") == "DELETED")
            let again = try await client.send(.post, "/v1/openstack/image/application/\(id)/delete")
            #expect(again.status == 406)
            #expect(again.json == ["status": 406, "message": "application not exists"])
        }
    }

    @Test func listPagesWithOffsetAsPageSizeAndOrder() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            for name in ["c-app", "a-app", "b-app"] {
                let r = try await client.send(.post, "/v1/openstack/image/application/create", body: .json([
                    "name": .string(name), "displayname": "d", "picture": "p.jpg", "description": "x",
                ]))
                #expect(r.status == 200)
            }
            let page = try await client.send(.get, "/v1/openstack/image/application/list",
                                             query: [("page", "2"), ("offset", "2"), ("order", "name"), ("asc", "true")])
            #expect(lookup(page.json!, "result.total") == 3)
            #expect(lookup(page.json!, "result.hasPrevious") == true)
            #expect(lookup(page.json!, "result.hasNext") == false)
            #expect(lookup(page.json!, "result.entities.0.name") == "c-app")
            let first = try await client.send(.get, "/v1/openstack/image/application/list",
                                              query: [("offset", "2"), ("order", "name"), ("acs", "false")])
            #expect(lookup(first.json!, "result.entities.0.name") == "c-app")
            #expect(lookup(first.json!, "result.hasNext") == true)
            let words = try await client.send(.get, "/v1/openstack/image/application/list", query: [("keywords", "b-a")])
            #expect(lookup(words.json!, "result.total") == 1)
        }
    }

    @Test func nameAlreadyUsedIs406() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let create = seeds["create-image-application"]!
        try await gateway.run { client in
            #expect(try await create.send(client).status == 200)
            let again = try await create.send(client)
            #expect(again.status == 406)
            #expect(again.json == ["status": 406, "message": "application name already used"])
        }
    }
}
