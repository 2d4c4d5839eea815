import Foundation
import GatewayHTTP
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Seed 003's upload/download, share, import and export endpoints (Fixtures/cecstack.json).
@Suite struct CecstackFilesTests {
    let seeds: [String: SeedCase]
    init() throws { seeds = try SeedCase.load("cecstack") }

    static let region = ["x-regionid": "region0"]
    static let bytes = String((0..<70_000).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })

    /// Creates a private image (the seed's request) and gives its imageId.
    static func createImage(_ client: GatewayClient, _ seeds: [String: SeedCase], name: String = "centos8.2") async throws -> String {
        guard case .json(.object(var fields)) = seeds["create-private-image"]!.body else { throw SeedError.bad("create") }
        fields["name"] = .string(name)
        let created = try await client.send(.post, "/api/image/v1/private-images", headers: region, body: .json(.object(fields)))
        return try #require(lookup(created.json!, "data.imageId")?.stringValue)
    }

    /// prepare → PUT bytes → done, as the seed's upload steps describe.
    static func upload(_ client: GatewayClient, _ seeds: [String: SeedCase], imageId: String, bytes: String = bytes) async throws {
        let prepare = seeds["upload-prepare"]!
        var fields = try #require(prepare.jsonFields, "the seed's upload-prepare sends a JSON body")
        fields["size"] = .int(Int64(bytes.utf8.count))
        let prepared = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-prepare", headers: region,
                                             body: .json(.object(fields)))
        expectConforms(prepared, to: prepare, equal: ["code", "message"])
        let url = try #require(lookup(prepared.json!, "data.image_url")?.stringValue)
        let uploadId = try #require(lookup(prepared.json!, "data.uploadId")?.stringValue)
        let upload = try #require(url.range(of: "/ims/v1/uploads/"), "\(url)")
        let path = String(url[upload.lowerBound...])
        let put = try await client.send(.put, path, body: .raw(bytes, contentType: "application/octet-stream"))
        #expect(put.status == 200, "\(put.text)")
        let done = seeds["upload-done"]!
        let finished = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-done", headers: region,
                                             body: .json(["result": "success", "uploadId": .string(uploadId)]))
        expectConforms(finished, to: done, equal: ["code", "message"])
    }

    @Test func uploadThenDownloadKeepsTheBytesAndChecksum() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            let imageId = try await Self.createImage(client, seeds)
            let early = try await client.send(.get, "/api/image/v1/private-images/\(imageId)/file", headers: Self.region)
            #expect(early["code"] == "IMG.OperationFailed.DownloadNotAllowed")

            try await Self.upload(client, seeds, imageId: imageId)
            let image = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region)
            #expect(lookup(image.json!, "data.status") == "active")
            #expect(lookup(image.json!, "data.size") == .int(Int64(Self.bytes.utf8.count)))
            let md5 = try #require(lookup(image.json!, "data.checksum")?.stringValue)
            #expect(md5.count == 32)

            let download = seeds["download-file"]!
            let file = try await client.send(download.method, "/api/image/v1/private-images/\(imageId)/file", headers: Self.region)
            #expect(file.status == download.status)
            let samefile = file.text == Self.bytes
            #expect(samefile, "the bytes differ")
            #expect(file.headers[.contentMD5Hex] == md5)

            let again = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-prepare", headers: Self.region,
                                              body: .json(["size": 5]))
            #expect(again["code"] == "IMG.OperationFailed.UploadNotAllowed")
        }
    }

    @Test func wrongSizeAndFailedUploads() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            let imageId = try await Self.createImage(client, seeds)
            let prepared = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-prepare", headers: Self.region,
                                                 body: .json(["size": 10]))
            let url = try #require(lookup(prepared.json!, "data.image_url")?.stringValue)
            let path = String(url[url.range(of: "/ims/v1/uploads/")!.lowerBound...])
            let wrongToken = try await client.send(.put, path.replacingOccurrences(of: "token=", with: "token=x"), body: .raw("0123456789"))
            #expect(wrongToken.status == 403)
            #expect(try await client.send(.put, path, body: .raw("too short")).status == 200)
            let done = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-done", headers: Self.region,
                                             body: .json(["result": "success", "uploadId": lookup(prepared.json!, "data.uploadId")!]))
            #expect(done["code"] == "IMG.OperationFailed.ImageSize")
            let failed = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-done", headers: Self.region,
                                               body: .json(["result": "failed", "uploadId": lookup(prepared.json!, "data.uploadId")!]))
            #expect(failed["code"] == "Success")
            let image = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region)
            #expect(lookup(image.json!, "data.status") == "killed")
        }
    }

    @Test func shareListUnshareCopyAndDeleteShares() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        try await gateway.run { client in
            let imageId = try await Self.createImage(client, seeds)
            try await Self.upload(client, seeds, imageId: imageId)

            let share = seeds["share"]!
            expectConforms(try await share.at("/api/image/v1/private-images/\(imageId)/share").send(client), to: share,
                           equal: ["code", "message", "data"])
            let twice = try await share.at("/api/image/v1/private-images/\(imageId)/share").send(client)
            #expect(twice["code"] == "IMG.OperationFailed.AlreadyShared")
            let unknown = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/share", headers: Self.region,
                                                body: .json(["shares": ["user_ids": ["404"]]]))
            #expect(unknown["code"] == "IMG.OperationFailed.InvalidUserId")
            let tooMany = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/share", headers: Self.region,
                                                body: .json(["shares": ["user_ids": .array((1...51).map { .string(String($0)) })]]))
            #expect(tooMany.status == 400)

            let list = seeds["list-shares"]!
            let listed = try await list.at("/api/image/v1/private-images/\(imageId)/share").send(client)
            expectConforms(listed, to: list, equal: ["code", "data.total", "data.list.0.userId", "data.list.0.userName"])
            #expect(lookup(listed.json!, "data.list.0.imageId") == .string(imageId))

            let received = seeds["list-shared-images"]!
            let got = try await received.send(client)
            expectConforms(got, to: received, equal: ["code", "data.total", "data.list.0.userId",
                                                      "data.list.0.userName", "data.list.0.image.status"])
            #expect(lookup(got.json!, "data.list.0.image.imageId") == .string(imageId))
            let shareId = try #require(lookup(got.json!, "data.list.0.shareId")?.stringValue)

            let deleteShared = try await client.send(.delete, "/api/image/v1/private-images/\(imageId)", headers: Self.region)
            #expect(deleteShared["code"] == "IMG.OperationFailed.ImageIsShared")

            let copy = seeds["copy-shared-image"]!
            let copied = try await copy.at("/api/image/v1/shared-images/\(shareId)/copy").send(client)
            // The seed's answer describes another copy than its request: compare with the request.
            expectConforms(copied, to: copy, equal: ["code", "data.status"])
            #expect(lookup(copied.json!, "data.name") == "名称")
            #expect(lookup(copied.json!, "data.owner") == "1845802001481407751")
            #expect(lookup(copied.json!, "data.departmentId") == "1845802001481407752")
            #expect(lookup(copied.json!, "data.describe") == "描述")
            let copyId = try #require(lookup(copied.json!, "data.imageId")?.stringValue)
            let active = try await client.cecImage(copyId, until: ["active", "killed"])
            #expect(lookup(active, "data.status") == "active")
            #expect(lookup(active, "data.size") == .int(Int64(Self.bytes.utf8.count)))
            let bytes = try await client.send(.get, "/api/image/v1/private-images/\(copyId)/file", headers: Self.region)
            let samebytes = bytes.text == Self.bytes
            #expect(samebytes, "the bytes differ")

            let unshare = seeds["unshare"]!
            expectConforms(try await unshare.at("/api/image/v1/private-images/\(imageId)/unshare").send(client), to: unshare,
                           equal: ["code", "data"])
            let notShared = try await unshare.at("/api/image/v1/private-images/\(imageId)/unshare").send(client)
            #expect(notShared["code"] == "IMG.OperationFailed.NotShared")
            let deleteShare = seeds["delete-shared-image"]!
            let gone = try await deleteShare.at("/api/image/v1/shared-images/\(shareId)").send(client)
            #expect(gone["code"] == "IMG.DBGet.NoData")

            // Shared again, then declined by the recipient.
            _ = try await share.at("/api/image/v1/private-images/\(imageId)/share").send(client)
            let again = try await received.send(client)
            let secondId = try #require(lookup(again.json!, "data.list.0.shareId")?.stringValue)
            expectConforms(try await deleteShare.at("/api/image/v1/shared-images/\(secondId)").send(client), to: deleteShare,
                           equal: ["code", "data"])
            #expect(lookup(try await received.send(client).json!, "data.total") == 0)
        }
    }

    @Test func importFromAURLAndExportToABucket() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let seeds = self.seeds
        let origin = Router()
        origin.get("/images/good.qcow2") { _, _ in Self.bytes }
        try await Application(router: origin).test(.live) { originClient in
            let port = try #require(originClient.port)
            var importing = gateway
            importing.config.imports.allowedHosts = ["127.0.0.1:\(port)"]
            try await importing.run { client in
                let seed = seeds["import-image"]!
                var fields = try #require(seed.jsonFields, "the seed's import-image sends a JSON body")
                fields["imageUrl"] = .string("http://127.0.0.1:\(port)/images/good.qcow2")
                let imported = try await client.send(.post, "/api/image/v1/private-images/import", headers: Self.region,
                                                     body: .json(.object(fields)))
                expectConforms(imported, to: seed, equal: ["code", "message", "data.imageType", "data.status",
                                                           "data.diskFormat", "data.owner", "data.minRam"])
                #expect(lookup(imported.json!, "data.name") == "导入镜像")
                let imageId = try #require(lookup(imported.json!, "data.imageId")?.stringValue)
                let done = try await client.cecImage(imageId, until: ["active", "killed"])
                #expect(lookup(done, "data.status") == "active")
                #expect(lookup(done, "data.size") == .int(Int64(Self.bytes.utf8.count)))
                let download = try await client.send(.get, "/api/image/v1/private-images/\(imageId)/file", headers: Self.region)
                let samedownload = download.text == Self.bytes
            #expect(samedownload, "the bytes differ")
                #expect(download.headers[.contentMD5Hex] == lookup(done, "data.checksum")?.stringValue)

                fields["imageUrl"] = .string("http://127.0.0.1:\(port)/images/missing.qcow2")
                fields["name"] = "missing"
                let missing = try await client.send(.post, "/api/image/v1/private-images/import", headers: Self.region,
                                                    body: .json(.object(fields)))
                let missingId = try #require(lookup(missing.json!, "data.imageId")?.stringValue)
                let killed = try await client.cecImage(missingId, until: ["active", "killed"])
                #expect(lookup(killed, "data.status") == "killed")
                #expect(lookup(killed, "data.errMessage")?.stringValue?.contains("404") == true)

                let buckets = seeds["oss-bucket-list"]!
                expectConforms(try await buckets.at("/api/image/v1/private-images/\(imageId)/oss-bucket-list").send(client),
                               to: buckets, equal: ["code", "data"])
                let export = seeds["export-image"]!
                var exportRequest = export.at("/api/image/v1/custom-images/\(imageId)/export")
                exportRequest.body = .json(["bucket": ["name": "hello1", "azId": "AZ0", "cellId": "ecs49"]])
                expectConforms(try await exportRequest.send(client), to: export, equal: ["code", "data"])
                let target = gateway.directory.appendingPathComponent("buckets/hello1/\(imageId).qcow2").path
                var exported: String?
                for _ in 0..<300 where exported == nil {
                    exported = try? String(contentsOfFile: target, encoding: .utf8)
                    if exported == nil { try await Task.sleep(for: .milliseconds(10)) }
                }
                let sameExport = exported == Self.bytes
                #expect(sameExport, "the exported bytes differ")
                let badBucket = try await client.send(.post, "/api/image/v1/custom-images/\(imageId)/export", headers: Self.region,
                                                      body: .json(["bucket": ["name": "nope"]]))
                #expect(badBucket["code"] == "IMG.InvalidParameter")
            }
        }
    }
}
