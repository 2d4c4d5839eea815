import GatewayHTTP

extension ConformanceCase {
    static let ok = ["code", "message"]
    static let okNull = ["code", "message", "data"]

    static let cecstack: [ConformanceCase] = [
        ConformanceCase("cecstack", "GET /images", seed: "list-public-images") { c in
            guard case .json(.object(var fields)) = try c.seed("cecstack", "create-private-image").body else { return ["no body"] }
            fields["visibility"] = "public"
            _ = try await c.client.send(.post, "/api/image/v1/private-images", headers: ConformanceContext.region, body: .json(.object(fields)))
            return try await c.check("cecstack", "list-public-images", equal: ok + ["data.size", "data.current", "data.list.0.visibility"]).problems
        },
        ConformanceCase("cecstack", "GET /images/{imageId}", seed: "get-image") { c in
            let imageId = try await c.cecActiveImage()
            return try await c.check("cecstack", "get-image", at: "/api/image/v1/images/\(imageId)", equal: ok + ["data.status"]).problems
        },
        ConformanceCase("cecstack", "POST /private-images", seed: "create-private-image") { c in
            try await c.check("cecstack", "create-private-image", equal: ok + ["data.owner", "data.instructions", "data.name",
                                                                               "data.status", "data.minDisk", "data.platform"]).problems
        },
        ConformanceCase("cecstack", "GET /private-images", seed: "list-private-images") { c in
            let imageId = try await c.cecActiveImage()
            var seed = try c.seed("cecstack", "list-private-images")
            seed.query = [("current", "1"), ("filter", "name:lk:centos|imageId:eq:\(imageId)|"), ("size", "10")]
            let reply = try await seed.send(c.client)
            return also(conformanceProblems(reply, to: seed, equal: ok + ["data.current"]),
                        reply.json.flatMap { lookup($0, "data.total") } == 1, "filter did not find the image")
        },
        ConformanceCase("cecstack", "PUT /private-images/{imageId}", seed: "update-private-image") { c in
            let imageId = try await c.cecImage()
            return try await c.check("cecstack", "update-private-image", at: "/api/image/v1/private-images/\(imageId)", equal: okNull).problems
        },
        ConformanceCase("cecstack", "DELETE /private-images/{imageId}", seed: "delete-private-image") { c in
            let imageId = try await c.cecImage()
            return try await c.check("cecstack", "delete-private-image", at: "/api/image/v1/private-images/\(imageId)", equal: ok).problems
        },
        ConformanceCase("cecstack", "POST /private-images/{imageId}/upload-prepare", seed: "upload-prepare") { c in
            let imageId = try await c.cecImage()
            return try await c.check("cecstack", "upload-prepare", at: "/api/image/v1/private-images/\(imageId)/upload-prepare",
                                     equal: ok).problems
        },
        ConformanceCase("cecstack", "POST /private-images/{imageId}/upload-done", seed: "upload-done") { c in
            let imageId = try await c.cecImage()
            let uploadId = try await c.cecPut(imageId, bytes: "0123456789")
            let (_, problems) = try await c.check("cecstack", "upload-done", at: "/api/image/v1/private-images/\(imageId)/upload-done",
                                                  body: .json(["result": "success", "uploadId": .string(uploadId)]), equal: ok)
            let image = try await c.client.send(.get, "/api/image/v1/images/\(imageId)", headers: ConformanceContext.region)
            return also(problems, image.json.flatMap { lookup($0, "data.status") } == "active", "not active: \(image.text)")
        },
        ConformanceCase("cecstack", "GET /private-images/{imageId}/file", seed: "download-file") { c in
            let imageId = try await c.cecActiveImage(bytes: "the image bytes")
            let (reply, problems) = try await c.check("cecstack", "download-file", at: "/api/image/v1/private-images/\(imageId)/file")
            return also(problems, reply.text == "the image bytes", "bytes differ")
        },
        ConformanceCase("cecstack", "POST /private-images/{imageId}/share", seed: "share") { c in
            let imageId = try await c.cecActiveImage()
            return try await c.check("cecstack", "share", at: "/api/image/v1/private-images/\(imageId)/share", equal: okNull).problems
        },
        ConformanceCase("cecstack", "GET /private-images/{imageId}/share", seed: "list-shares") { c in
            let (imageId, _) = try await c.cecShare()
            return try await c.check("cecstack", "list-shares", at: "/api/image/v1/private-images/\(imageId)/share",
                                     equal: ok + ["data.total", "data.list.0.userId", "data.list.0.userName", "data.list.0.image"]).problems
        },
        ConformanceCase("cecstack", "POST /private-images/{imageId}/unshare", seed: "unshare") { c in
            let (imageId, _) = try await c.cecShare()
            return try await c.check("cecstack", "unshare", at: "/api/image/v1/private-images/\(imageId)/unshare", equal: okNull).problems
        },
        ConformanceCase("cecstack", "GET /shared-images", seed: "list-shared-images") { c in
            _ = try await c.cecShare()
            return try await c.check("cecstack", "list-shared-images",
                                     equal: ok + ["data.total", "data.list.0.userId", "data.list.0.userName", "data.list.0.image.status"]).problems
        },
        ConformanceCase("cecstack", "DELETE /shared-images/{shareId}", seed: "delete-shared-image") { c in
            let (_, shareId) = try await c.cecShare()
            return try await c.check("cecstack", "delete-shared-image", at: "/api/image/v1/shared-images/\(shareId)", equal: okNull).problems
        },
        ConformanceCase("cecstack", "POST /shared-images/{shareId}/copy", seed: "copy-shared-image") { c in
            let (_, shareId) = try await c.cecShare()
            let (reply, problems) = try await c.check("cecstack", "copy-shared-image", at: "/api/image/v1/shared-images/\(shareId)/copy",
                                                      equal: ok + ["data.status"])
            let copyId = reply.json.flatMap { lookup($0, "data.imageId") }?.stringValue ?? ""
            let done = try await c.client.cecImage(copyId, until: ["active", "killed"])
            return also(problems, lookup(done, "data.status") == "active", "copy is \(lookup(done, "data.status")?.serialized ?? "?")")
        },
        ConformanceCase("cecstack", "POST /private-images/import", seed: "import-image") { c in
            guard case .json(.object(var fields)) = try c.seed("cecstack", "import-image").body else { return ["no body"] }
            fields["imageUrl"] = .string("http://127.0.0.1:\(c.originPort)/images/good.qcow2")
            let (reply, problems) = try await c.check("cecstack", "import-image", body: .json(.object(fields)),
                                                      equal: ok + ["data.status", "data.imageType", "data.owner"])
            let imageId = reply.json.flatMap { lookup($0, "data.imageId") }?.stringValue ?? ""
            let done = try await c.client.cecImage(imageId, until: ["active", "killed"])
            return also(problems, lookup(done, "data.status") == "active", "import is \(lookup(done, "data.status")?.serialized ?? "?")")
        },
        ConformanceCase("cecstack", "GET /private-images/{imageId}/oss-bucket-list", seed: "oss-bucket-list") { c in
            let imageId = try await c.cecImage()
            return try await c.check("cecstack", "oss-bucket-list", at: "/api/image/v1/private-images/\(imageId)/oss-bucket-list",
                                     equal: okNull).problems
        },
        ConformanceCase("cecstack", "POST /custom-images/{imageId}/export", seed: "export-image") { c in
            let imageId = try await c.cecActiveImage()
            return try await c.check("cecstack", "export-image", at: "/api/image/v1/custom-images/\(imageId)/export",
                                     body: .json(["bucket": ["name": "hello1", "azId": "AZ0", "cellId": "ecs49"]]), equal: okNull).problems
        },
    ]
}
