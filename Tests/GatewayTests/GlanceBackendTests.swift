import AsyncHTTPClient
import Crypto
import Foundation
@testable import GatewayHTTP
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreGlance
import Testing
import Yams

/// The `glance` backend kind: its entry, and images made through the gateway's dialects read
/// by openstacksdk straight from Glance.
@Suite struct GlanceBackendTests {
    @Test func aGlanceEntryNeedsItsUrlAndASQLIndex() throws {
        func open(_ yaml: String) throws {
            _ = try BackendFactory.open(try YAMLDecoder().decode(GatewayConfig.self, from: yaml))
        }
        #expect(throws: GatewayStartError.self) { try open("backends: {g: {kind: glance, index: l}, l: {kind: sqlite}}\nuse: g\n") }
        #expect(throws: GatewayStartError.self) { try open("backends: {g: {kind: glance, url: 'http://127.0.0.1:1'}}\nuse: g\n") }
        do {
            try open("backends: {g: {kind: glance, url: 'http://127.0.0.1:1', index: r}, r: {kind: remote, url: 'http://x', token: t}}\nuse: g\n")
            Issue.record("a remote index opened")
        } catch {
            #expect("\(error)".contains("index 'r' is a remote entry; it must be sqlite or postgres"))
        }
        let config = try YAMLDecoder().decode(GatewayConfig.self, from: """
            backends: {g: {kind: glance, url: 'http://127.0.0.1:1', index: l, projects: {acme: p-acme}, roles: [admin]}, l: {kind: sqlite}}
            use: g
            """)
        #expect(config.backends["g"]?.projects == ["acme": "p-acme"])
        #expect(config.backends["g"]?.keysRead.isSuperset(of: ["url", "index", "projects", "roles", "project"]) == true)
    }

    /// Foreman's POST and CECSTACK's create + upload through a gateway on Glance; openstacksdk
    /// then reads the images from Glance itself: the same name, size, hash and properties, and
    /// the bytes hash-equal. The default password stays in the gateway.
    @Test(.enabled(if: GlanceLive.url != nil, "needs IMS_GLANCE_URL (scripts/glance url)"))
    func imagesMadeThroughTheGatewayAreReadByOpenstacksdkStraightFromGlance() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        try gateway.useGlance()
        let seeds = try SeedCase.load("cecstack")
        let name = "gw-glance-" + RandomID.make(length: 6).lowercased()
        // The index is the lane's store (TestGateway made it PostgreSQL on that lane); run it
        // as configured, not switched again.
        let (foremanName, cecstackImageId) = try await gateway.run(lane: .bundled) { client in
            let foreman = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                "image": ["name": .string(name + "-foreman"), "username": "cloud-user", "password": "never-in-glance",
                          "uuid": .string(UUID().uuidString), "architecture_id": 1, "operatingsystem_id": 2],
            ]))
            #expect(foreman.status == 201, "\(foreman.text)")
            let imageId = try await CecstackFilesTests.createImage(client, seeds, name: name + "-cecstack")
            try await CecstackFilesTests.upload(client, seeds, imageId: imageId)
            let shown = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: CecstackFilesTests.region)
            #expect(lookup(shown.json!, "data.status") == "active")
            #expect(lookup(shown.json!, "data.size") == .int(Int64(CecstackFilesTests.bytes.utf8.count)))
            return (name + "-foreman", imageId)
        }

        let bytes = Array(CecstackFilesTests.bytes.utf8)
        let admin = GlanceCaller(userId: "t", projectId: "t", roles: ["admin"])
        let uploadedId = try await GlanceLive.with { glance in
            try #require(try await glance.list(filters: ["ims_image_id": cecstackImageId], as: admin).images.first?.id)
        }
        let uploaded = try GlanceLive.openstacksdk(["admin", "show", uploadedId])
        #expect(uploaded["name"] == .string(name + "-cecstack"))
        #expect(uploaded["size"] == .int(Int64(bytes.count)))
        #expect(uploaded["checksum"] == .string(Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()))
        let sha512 = SHA512.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        #expect(uploaded["hash_value"] == .string(sha512))
        #expect(uploaded["downloaded_sha512"] == .string(sha512))
        #expect(uploaded["status"] == "active")
        let properties = try #require(uploaded["properties"]?.objectValue)
        #expect(properties["ims_image_id"] == .string(cecstackImageId))
        #expect(properties["ims_status"] == "active")

        let made = try await GlanceLive.with { glance in
            try await glance.list(filters: ["name": foremanName], as: admin).images
        }
        let foreman = try #require(made.first, "the Foreman image is not in Glance")
        let read = try GlanceLive.openstacksdk(["admin", "show-meta", foreman.id])
        #expect(read["name"] == .string(foremanName))
        #expect(read["os_admin_user"] == "cloud-user")
        let foremanProperties = try #require(read["properties"]?.objectValue)
        #expect(foremanProperties["ims_compute_resource_id"] == "1")
        #expect(foremanProperties["ims_operatingsystem_id"] == "2")
        #expect(!foremanProperties.values.contains("never-in-glance"))
        #expect(!"\(read)".contains("never-in-glance"))
    }

    /// A share is a Glance membership of the recipient's project, accepted for it; withdrawing
    /// the share removes it.
    @Test(.enabled(if: !StoreFactory.glance.isEmpty, "needs IMS_GLANCE_URL and IMS_PG_URL"))
    func sharesAreGlanceMembersAcceptedForTheRecipientsProject() async throws {
        try await ContractStores.with(StoreFactory.glance[0]) { stores in
            let made = try await stores.images.insert(ContractStores.image("shared-" + RandomID.make(length: 6)), job: nil, unique: [])
            let imageId = made.image.imageId
            let admin = GlanceCaller(userId: "t", projectId: "t", roles: ["admin"])
            func members() async throws -> [String] {
                try await GlanceLive.with { glance in
                    let id = try #require(try await glance.list(filters: ["ims_image_id": imageId], as: admin).images.first?.id)
                    return try await glance.members(id, as: admin).map { "\($0.project) \($0.status)" }
                }
            }
            #expect(try await members() == [])
            _ = try await stores.shares.insert([ImageShare(shareId: "img-share-" + RandomID.make(length: 6), imageId: imageId, userId: "3",
                                                           createdAt: ContractStores.epoch, updatedAt: ContractStores.epoch)])
            #expect(try await members() == ["globex accepted"])
            // Another user of the owner's own tenant: no member.
            _ = try await stores.shares.insert([ImageShare(shareId: "img-share-" + RandomID.make(length: 6), imageId: imageId, userId: "2",
                                                           createdAt: ContractStores.epoch, updatedAt: ContractStores.epoch)])
            #expect(try await members() == ["globex accepted"])
            _ = try await stores.shares.delete(imageId: imageId, userIds: ["3"])
            #expect(try await members() == [])
        }
    }

    /// An image made with openstacksdk in Glance appears, after `glance sync`, in CECSTACK's and
    /// 51idc's answers, its bytes downloadable through CECSTACK.
    @Test(.enabled(if: GlanceLive.url != nil, "needs IMS_GLANCE_URL (scripts/glance url)"))
    func anImageMadeInGlanceDirectlyAppearsAfterASync() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        try gateway.useGlance()
        let project = "p-" + RandomID.make(length: 10).lowercased()
        let name = "sdk-made-" + RandomID.make(length: 6).lowercased()
        let file = gateway.directory.appendingPathComponent("sdk.bin")
        let bytes = String(repeating: "bytes made in Glance by openstacksdk\n", count: 500)
        try bytes.write(to: file, atomically: true, encoding: .utf8)
        let made = try GlanceLive.openstacksdk([project, "create", name, file.path, "os_distro=ubuntu"])
        let glanceId = try #require(made["id"]?.stringValue)
        let config = gateway.config
        try await gateway.run(lane: .bundled) { client in
            let report = try await GlanceBackend.sync("glance", config: config, filters: ["owner": project])
            #expect(report.seen == 1 && report.indexed == 0 && report.adopted.count == 1)
            let ref = try #require(report.adopted.first)
            let again = try await GlanceBackend.sync("glance", config: config, filters: ["owner": project])
            #expect(again.seen == 1 && again.indexed == 1 && again.adopted.isEmpty)

            let shown = try await client.send(.get, "/api/image/v1/images/\(ref)", headers: CecstackFilesTests.region)
            #expect(lookup(shown.json!, "data.name") == .string(name))
            #expect(lookup(shown.json!, "data.status") == "active")
            #expect(lookup(shown.json!, "data.size") == .int(Int64(bytes.utf8.count)))
            let file = try await client.send(.get, "/api/image/v1/private-images/\(ref)/file", headers: CecstackFilesTests.region)
            #expect(file.status == 200)
            #expect(file.text == bytes)
            let idc = try await client.send(.get, "/v2/zone/ac1/images", query: [("search_word", name)])
            #expect(idc["total_count"] == 1)
            #expect(lookup(idc.json!, "images.0.image_id") == .string(ref))
        }
        // Glance's image now carries its ref.
        let read = try GlanceLive.openstacksdk([project, "show-meta", glanceId])
        #expect(try #require(read["properties"]?.objectValue)["ims_image_id"] != nil)
    }
}
