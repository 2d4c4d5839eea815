import GatewayHTTP

/// What a case needs in the store before its request makes sense, made through the dialects.
extension ConformanceContext {
    static let region = ["x-regionid": "region0"]

    func foremanImage() async throws -> Int64 {
        let created = try await seed("foreman", "create-image-json").send(client)
        guard case .int(let id)? = created["id"] else { throw SeedError.bad("foreman create: \(created.text)") }
        return id
    }

    func cecImage(name: String = "centos8.2") async throws -> String {
        guard case .json(.object(var fields)) = try seed("cecstack", "create-private-image").body else { throw SeedError.bad("create") }
        fields["name"] = .string(name)
        let created = try await client.send(.post, "/api/image/v1/private-images", headers: Self.region, body: .json(.object(fields)))
        guard let id = created.json.flatMap({ lookup($0, "data.imageId") })?.stringValue else { throw SeedError.bad(created.text) }
        return id
    }

    /// Prepares an upload and PUTs `bytes`; gives the uploadId for upload-done.
    func cecPut(_ imageId: String, bytes: String) async throws -> String {
        let prepared = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-prepare", headers: Self.region,
                                             body: .json(["size": .int(Int64(bytes.utf8.count))]))
        guard let url = prepared.json.flatMap({ lookup($0, "data.image_url") })?.stringValue,
              let uploadId = prepared.json.flatMap({ lookup($0, "data.uploadId") })?.stringValue,
              let at = url.range(of: "/ims/v1/uploads/") else { throw SeedError.bad(prepared.text) }
        _ = try await client.send(.put, String(url[at.lowerBound...]), body: .raw(bytes))
        return uploadId
    }

    func cecActiveImage(bytes: String = "qcow2 bytes of a test image") async throws -> String {
        let imageId = try await cecImage()
        let uploadId = try await cecPut(imageId, bytes: bytes)
        _ = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-done", headers: Self.region,
                                  body: .json(["result": "success", "uploadId": .string(uploadId)]))
        return imageId
    }

    /// An active image shared with the seed's user; gives its shareId.
    func cecShare() async throws -> (imageId: String, shareId: String) {
        let imageId = try await cecActiveImage()
        _ = try await seed("cecstack", "share").at("/api/image/v1/private-images/\(imageId)/share").send(client)
        let list = try await client.send(.get, "/api/image/v1/private-images/\(imageId)/share", headers: Self.region)
        guard let shareId = list.json.flatMap({ lookup($0, "data.list.0.shareId") })?.stringValue else { throw SeedError.bad(list.text) }
        return (imageId, shareId)
    }

    func idcImage() async throws -> String {
        let (_, job) = try await client.idcMutation(.post, "/v2/zone/ac1/images", body: .json(["instance": "i-1", "image_name": "TEST"]))
        guard let id = job.flatMap({ lookup($0, "resource_ids.0") })?.stringValue else { throw SeedError.bad("capture") }
        return id
    }

    func application() async throws -> Int64 {
        let created = try await seed("htaiyun", "create-image-application").send(client)
        guard case .int(let id)? = created.json.flatMap({ lookup($0, "result.unique") }) else { throw SeedError.bad(created.text) }
        return id
    }

    /// The seed's instance (it names application 2, so two applications are made first).
    func instance() async throws -> Int64 {
        try await applicationsForInstance()
        let created = try await seed("htaiyun", "create-application-instance").send(client)
        guard case .int(let id)? = created.json.flatMap({ lookup($0, "result.unique") }) else { throw SeedError.bad(created.text) }
        return id
    }

    func applicationsForInstance() async throws {
        for name in ["other", "appliylapp"] {
            _ = try await client.send(.post, "/v1/openstack/image/application/create", body: .form([
                ("name", name), ("displayname", name), ("picture", "p.jpg"), ("description", "d"),
            ]))
        }
    }

    func instanceWithMembers() async throws -> Int64 {
        let id = try await instance()
        _ = try await client.send(.post, "/applicationinstance/\(id)/user/batchadd", body: .form([("userids", "8,9")]))
        return id
    }
}

/// `problems` plus one more if `condition` fails.
func also(_ problems: [String], _ condition: Bool, _ what: String) -> [String] {
    condition ? problems : problems + [what]
}
