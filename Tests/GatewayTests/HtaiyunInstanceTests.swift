import GatewayHTTP
import Testing

/// Seed 004's application-instance endpoints (Fixtures/htaiyun.json).
@Suite struct HtaiyunInstanceTests {
    let seeds: [String: SeedCase]
    init() throws { seeds = try SeedCase.load("htaiyun") }

    /// The instance seed refers to application 2: make two applications so it exists.
    static func applications(_ client: GatewayClient) async throws {
        for name in ["other", "appliylapp"] {
            #expect(try await client.send(.post, "/v1/openstack/image/application/create", body: .form([
                ("name", name), ("displayname", name), ("picture", "p.jpg"), ("description", "d"),
            ])).status == 200)
        }
    }

    static let instanceFacts = ["status", "message", "result.name", "result.displayName", "result.status",
                                "result.applicationDomain.name", "result.applicationDomain.unique",
                                "result.userStack.userServer.flavor.flavorId", "result.owner.unique", "result.owner.username",
                                "result.owner.mobile", "result.owner.avatarUrl", "result.owner.type"]

    @Test func createGetListUpdateDeleteAsTheSeedShows() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            try await Self.applications(client)
            let create = seeds["create-application-instance"]!
            let created = try await create.send(client)
            expectConforms(created, to: create, equal: Self.instanceFacts)
            #expect(lookup(created.json!, "result.flavorConfig") == "LOWEST")
            guard case .int(let id)? = lookup(created.json!, "result.unique") else { Issue.record("no unique"); return }

            let get = seeds["get-application-instance"]!
            expectConforms(try await get.at("/v1/applicationinstance/\(id)/get").send(client), to: get, equal: Self.instanceFacts)

            let list = seeds["list-application-instances"]!
            let listed = try await list.send(client)
            expectConforms(listed, to: list, equal: ["status", "message", "result.hasPrevious", "result.hasNext",
                                                     "result.entities.0.name", "result.entities.0.owner.username"])
            #expect(lookup(listed.json!, "result.total") == 1)
            let byUser = try await client.send(.get, "/applicationinstance/list", query: [("userid", "8")])
            #expect(lookup(byUser.json!, "result.total") == 0)
            let byApp = try await client.send(.get, "/applicationinstance/list", query: [("applicationid", "2"), ("acs", "true")])
            #expect(lookup(byApp.json!, "result.total") == 1)

            let used = seeds["error-name-used"]!
            expectConforms(try await used.send(client), to: used, equal: ["status", "message"])

            let update = seeds["update-application-instance"]!
            expectConforms(try await update.at("/v1/applicationinstance/\(id)/update").send(client), to: update,
                           equal: ["status", "message"])
            let after = try await client.send(.get, "/v1/applicationinstance/\(id)/get")
            #expect(lookup(after.json!, "result.displayName") == "x")

            let delete = seeds["delete-application-instance"]!
            expectConforms(try await delete.at("/v1/applicationinstance/\(id)/delete").send(client), to: delete,
                           equal: ["status", "message"])
            let gone = try await client.send(.post, "/v1/applicationinstance/\(id)/delete")
            #expect(gone.json == ["status": 406, "message": "application instance not exists"])
        }
    }

    @Test func membersAddRemoveAndList() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            try await Self.applications(client)
            let created = try await seeds["create-application-instance"]!.send(client)
            guard case .int(let id)? = lookup(created.json!, "result.unique") else { Issue.record("no unique"); return }

            let add = seeds["add-instance-user"]!
            expectConforms(try await add.at("/applicationinstance/\(id)/user/add").send(client), to: add, equal: ["status", "message"])
            let batchAdd = seeds["batch-add-instance-users"]!
            expectConforms(try await batchAdd.at("/applicationinstance/\(id)/user/batchadd").send(client), to: batchAdd,
                           equal: ["status", "message"])

            let list = seeds["list-instance-users"]!
            let listed = try await list.at("/v1/applicationinstance/\(id)/user/list").send(client)
            expectConforms(listed, to: list, equal: ["status", "message", "result.hasPrevious", "result.hasNext"])
            #expect(lookup(listed.json!, "result.total") == 2)
            let liyl = try await client.send(.get, "/applicationinstance/\(id)/user/list", query: [("keywords", "liyl")])
            #expect(lookup(liyl.json!, "result.entities.0.unique") == 8)
            #expect(lookup(liyl.json!, "result.entities.0.optionalflavorids") == "1,2,3")
            #expect(lookup(liyl.json!, "result.entities.0.mobile") == "18921214565")

            let nobody = try await client.send(.post, "/applicationinstance/\(id)/user/add", body: .form([("userid", "404")]))
            #expect(nobody.json == ["status": 406, "message": "user not exists!"])
            // All-or-nothing: 9 exists, 404 does not, so 9 stays a member.
            let mixed = try await client.send(.post, "/applicationinstance/\(id)/user/batchdelete", body: .form([("userids", "9,404")]))
            #expect(mixed.status == 406)
            #expect(lookup(try await list.at("/v1/applicationinstance/\(id)/user/list").send(client).json!, "result.total") == 2)

            let remove = seeds["delete-instance-user"]!
            expectConforms(try await remove.at("/applicationinstance/\(id)/user/delete").send(client), to: remove,
                           equal: ["status", "message"])
            let batchRemove = try await client.send(.post, "/v1/applicationinstance/\(id)/user/batchdelete", body: .form([("userids", "9")]))
            #expect(batchRemove.status == 200)
            #expect(lookup(try await list.at("/v1/applicationinstance/\(id)/user/list").send(client).json!, "result.total") == 0)
        }
    }

    @Test func batchDeleteIsAllOrNothingAndErrorsUseTheSeedsWords() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            try await Self.applications(client)
            var ids: [Int64] = []
            for name in ["one", "two"] {
                let r = try await client.send(.post, "/v1/applicationinstance/create", body: .form([
                    ("name", name), ("displayname", name), ("userid", "1"), ("applicationid", "2"), ("flavorconfig", "HIGHEST"),
                ]))
                guard case .int(let id)? = lookup(r.json!, "result.unique") else { Issue.record("\(r.text)"); return }
                ids.append(id)
            }
            let noApp = try await client.send(.post, "/v1/applicationinstance/create", body: .form([
                ("name", "x"), ("displayname", "x"), ("userid", "1"), ("applicationid", "99"), ("flavorconfig", "LOWEST"),
            ]))
            #expect(noApp.json == ["status": 406, "message": "application not exists"])
            let noUser = try await client.send(.post, "/v1/applicationinstance/create", body: .form([
                ("name", "x"), ("displayname", "x"), ("userid", "404"), ("applicationid", "2"), ("flavorconfig", "LOWEST"),
            ]))
            #expect(noUser.json == ["status": 406, "message": "user not exists!"])

            let partial = try await client.send(.post, "/v1/applicationinstance/delete", body: .form([("ids", "\(ids[0]),999")]))
            #expect(partial.status == 406)
            let active = try await client.send(.get, "/v1/applicationinstance/list")
            #expect(lookup(active.json!, "result.total") == 2)

            var batch = seeds["batch-delete-application-instances"]!
            batch.body = .form([("ids", ids.map(String.init).joined(separator: ","))])
            expectConforms(try await batch.send(client), to: batch, equal: ["status", "message"])
            let remaining = try await client.send(.get, "/v1/applicationinstance/list", query: [("status", "ACTIVED")])
            #expect(lookup(remaining.json!, "result.total") == 0)
        }
    }
}
