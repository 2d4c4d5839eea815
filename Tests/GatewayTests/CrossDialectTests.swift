import GatewayHTTP
import Testing

/// One store, four dialects: what one writes, the others read under their own names.
@Suite struct CrossDialectTests {
    @Test func foremanImageIsSeenByCecstackAnd51idcAndRenamedBy51idc() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let created = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                "image": ["name": "rocky-9-golden", "username": "cloud-user", "uuid": "c0ffee", "architecture_id": 1,
                          "operatingsystem_id": 2],
            ]))
            #expect(created.status == 201)
            guard case .int(let id)? = created["id"] else { Issue.record("no id"); return }

            let cec = try await client.send(.get, "/api/image/v1/images/\(id)", headers: ["x-regionid": "region0"])
            #expect(cec.status == 200)
            #expect(lookup(cec.json!, "data.name") == "rocky-9-golden")
            #expect(lookup(cec.json!, "data.id") == .int(id))
            #expect(lookup(cec.json!, "data.status") == "active")
            let imageId = try #require(lookup(cec.json!, "data.imageId")?.stringValue)
            // The same image by its img- reference.
            let byRef = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: ["x-regionid": "region0"])
            #expect(lookup(byRef.json!, "data.id") == .int(id))

            let idc = try await client.send(.get, "/v2/zone/ac1/images", query: [("search_word", "rocky-9")])
            #expect(idc["total_count"] == 1)
            #expect(lookup(idc.json!, "images.0.image_id") == .string(imageId))
            #expect(lookup(idc.json!, "images.0.image_name") == "rocky-9-golden")
            #expect(lookup(idc.json!, "images.0.default_user") == "cloud-user")
            #expect(lookup(idc.json!, "images.0.status") == "available")

            let renamed = try await client.send(.put, "/v2/zone/ac1/images", body: .json([
                "image": .string(imageId), "image_name": "rocky-9-golden-v2",
            ]))
            #expect(renamed.status == 200)
            #expect(try await client.finishedJob(renamed["job_id"]!.stringValue!)["status"] == "successful")
            let shown = try await client.send(.get, "/api/compute_resources/1/images/\(id)")
            #expect(shown["name"] == "rocky-9-golden-v2")
            #expect(shown["operatingsystem_name"] == "CentOS 9")
        }
    }

    @Test func cecstackFactsReadThrough51idcNames() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let created = try await client.send(.post, "/api/image/v1/private-images", headers: ["x-regionid": "r0"], body: .json([
                "diskFormat": "qcow2", "minDisk": 10, "minRam": 512, "name": "centos8.2", "imageType": "os_image",
                "instruction": "32-bits", "cpuArch": "x86", "osType": "linux", "platform": "CentOS", "visibility": "public",
                "usage": "ecs", "departmentId": "d1", "tenantId": "t1", "description": "golden",
            ]))
            #expect(created.status == 200)
            let idc = try await client.send(.get, "/v2/zone/ac1/images", query: [("processor_type", "32bit"), ("os_family", "centos")])
            #expect(idc["total_count"] == 1)
            #expect(lookup(idc.json!, "images.0.processor_type") == "32bit")
            #expect(lookup(idc.json!, "images.0.os_family") == "centos")
            #expect(lookup(idc.json!, "images.0.platform") == "linux")
            #expect(lookup(idc.json!, "images.0.visibility") == "public")
            #expect(lookup(idc.json!, "images.0.status") == "pending")
            #expect(lookup(idc.json!, "images.0.description") == "golden")
            #expect(lookup(idc.json!, "images.0.owner") == "t1")
        }
    }
}
