import GatewayHTTP
import Testing

/// Seed 003's image endpoints, driven by Fixtures/cecstack.json.
@Suite struct CecstackSeedTests {
    let seeds: [String: SeedCase]
    init() throws { seeds = try SeedCase.load("cecstack") }

    static let region = ["x-regionid": "region0"]
    static let createdFacts = ["data.owner", "data.instructions", "data.visibility", "data.usage", "data.departmentId",
                               "data.cpuArch", "data.minDisk", "data.platform", "data.minRam", "data.name", "data.osType",
                               "data.resourceGroupId", "data.diskFormat", "data.imageType", "data.status", "code", "message"]

    @Test func createGetUpdateDeletePrivateImage() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            let create = seeds["create-private-image"]!
            let created = try await create.send(client)
            expectConforms(created, to: create, equal: Self.createdFacts)
            let imageId = try #require(lookup(created.json!, "data.imageId")?.stringValue)
            #expect(imageId.hasPrefix("img-"))

            let get = seeds["get-image"]!
            let got = try await get.at("/api/image/v1/images/\(imageId)").send(client)
            expectConforms(got, to: get, equal: ["code", "message"])
            #expect(lookup(got.json!, "data.name") == "centos8.2")
            #expect(lookup(got.json!, "data.status") == "queued")

            let update = seeds["update-private-image"]!
            let updated = try await update.at("/api/image/v1/private-images/\(imageId)").send(client)
            expectConforms(updated, to: update, equal: ["code", "message", "data"])
            let after = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region)
            for (key, value) in [("cpuArch", "arm"), ("osVersion", "kylin-v10-sp3"), ("platform", "kylin"),
                                 ("bootMode", "UEFI"), ("instructions", "64-bits"), ("name", "test")] {
                #expect(lookup(after.json!, "data.\(key)") == .string(value), "\(key)")
            }
            #expect(lookup(after.json!, "data.minDisk") == 20)

            let delete = seeds["delete-private-image"]!
            let deleted = try await delete.at("/api/image/v1/private-images/\(imageId)").send(client)
            expectConforms(deleted, to: delete, equal: ["code", "message"])
            let gone = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region)
            #expect(gone.status == 400)
            #expect(gone["code"] == "IMG.DBGet.NoData")
        }
    }

    @Test func listsPublicAndPrivateImagesWithFilters() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            let create = seeds["create-private-image"]!
            var fields = try #require(create.jsonFields, "the seed's create-private-image sends a JSON body")
            for (name, visibility) in [("pub-1", "public"), ("pub-2", "public"), ("mine-1", "private"), ("other", "private")] {
                fields["name"] = .string(name)
                fields["visibility"] = .string(visibility)
                #expect(try await client.send(.post, "/api/image/v1/private-images", headers: Self.region, body: .json(.object(fields))).status == 200)
            }

            let publicList = seeds["list-public-images"]!
            let pub = try await publicList.send(client)
            expectConforms(pub, to: publicList, equal: ["code", "message", "data.size", "data.current"])
            #expect(lookup(pub.json!, "data.total") == 2)
            #expect(lookup(pub.json!, "data.list.0.visibility") == "public")

            let privateList = seeds["list-private-images"]!
            let mine = try await privateList.send(client)
            // The seed filters on name:lk:1 and imageId:eq:1: nothing of ours matches imageId "1".
            #expect(mine.status == 200)
            #expect(lookup(mine.json!, "data.total") == 0)
            let byName = try await client.send(.get, "/api/image/v1/private-images", query: [
                ("filter", "name:lk:mine|"), ("current", "1"), ("size", "10"),
            ], headers: Self.region)
            expectConforms(byName, to: privateList, equal: ["code", "message"])
            #expect(lookup(byName.json!, "data.total") == 1)
            #expect(lookup(byName.json!, "data.list.0.name") == "mine-1")

            let allPrivate = try await client.send(.get, "/api/image/v1/private-images", query: [("current", "1"), ("size", "1")],
                                                   headers: Self.region)
            #expect(lookup(allPrivate.json!, "data.total") == 2)
            if case .array(let list)? = lookup(allPrivate.json!, "data.list") { #expect(list.count == 1) }
        }
    }

    @Test func updateRequiresEveryFieldAndTheSameDiskFormat() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            let created = try await seeds["create-private-image"]!.send(client)
            let imageId = try #require(lookup(created.json!, "data.imageId")?.stringValue)
            let update = seeds["update-private-image"]!
            var fields = try #require(update.jsonFields, "the seed's update-private-image sends a JSON body")
            fields["diskFormat"] = "raw"
            let changed = try await client.send(.put, "/api/image/v1/private-images/\(imageId)", headers: Self.region,
                                                body: .json(.object(fields)))
            #expect(changed.status == 400)
            #expect(changed["code"] == "IMG.InvalidParameter")
            fields["diskFormat"] = nil
            let missing = try await client.send(.put, "/api/image/v1/private-images/\(imageId)", headers: Self.region,
                                                body: .json(.object(fields)))
            #expect(missing["code"] == "IMG.InvalidParameter")
            let after = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region)
            #expect(lookup(after.json!, "data.cpuArch") == "x86")
        }
    }

    @Test func regionHeaderIsRequired() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let reply = try await client.send(.get, "/api/image/v1/images", query: [("current", "1"), ("size", "1")])
            #expect(reply.status == 400)
            #expect(reply["code"] == "IMG.InvalidParameter")
            #expect(reply["requestId"]?.stringValue?.isEmpty == false)
        }
    }
}
