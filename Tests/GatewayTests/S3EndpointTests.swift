import Foundation
@testable import GatewayHTTP
@testable import IMSModel
import Testing

/// The S3 object endpoint of CECSTACK's prepared uploads, driven as an S3 SDK drives it.
@Suite struct S3EndpointTests {
    static let region = CecstackFilesTests.region

    static func prepared(_ client: GatewayClient, size: Int) async throws -> (imageId: String, prepared: JSONValue) {
        let imageId = try await CecstackFilesTests.createImage(client, try SeedCase.load("cecstack"))
        let prepared = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-prepare", headers: region,
                                             body: .json(["size": .int(Int64(size))]))
        return (imageId, try #require(prepared.json))
    }

    static func done(_ client: GatewayClient, _ imageId: String, uploadId: String?) async throws -> Reply {
        var body: [String: JSONValue] = ["result": "success"]
        if let uploadId { body["uploadId"] = .string(uploadId) }
        return try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-done", headers: region, body: .json(.object(body)))
    }

    @Test func putHeadGetARangeThenDoneMakesTheImageActive() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let (imageId, prepared) = try await Self.prepared(client, size: bytes.count)
            #expect(lookup(prepared, "data.domain")?.stringValue?.hasPrefix("http://localhost") == true)
            #expect(lookup(prepared, "data.bucket") == "uploads" && lookup(prepared, "data.file") == .string(imageId))
            let s3 = try S3Signer(prepared)
            let path = "/uploads/\(imageId)"
            let put = try await s3.send(client, .put, path, body: bytes)
            #expect(put.status == 200 && put.body.isEmpty)
            #expect(put.headers[.eTag] == "\"\(md5Hex(bytes))\"")
            let head = try await s3.send(client, .head, path)
            #expect(head.status == 200 && head.headers[.contentLength] == String(bytes.count) && head.headers[.eTag] == put.headers[.eTag])
            let range = try await s3.send(client, .get, path, headers: ["Range": "bytes=10-19"])
            #expect(range.status == 206 && range.body == Array(bytes[10...19]))
            #expect(range.headers[.contentRange] == "bytes 10-19/\(bytes.count)")
            #expect(try await s3.send(client, .get, path, headers: ["Range": "bytes=200000-"]).code == "InvalidRange")
            let location = try await s3.send(client, .get, "/uploads", query: "location=")
            #expect(location.status == 200 && location.text.contains("<LocationConstraint"))
            #expect(try await s3.send(client, .head, "/uploads").status == 200)

            let done = try await Self.done(client, imageId, uploadId: lookup(prepared, "data.uploadId")?.stringValue)
            #expect(done["code"] == "Success")
            let image = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region)
            #expect(lookup(image.json!, "data.status") == "active" && lookup(image.json!, "data.checksum") == .string(md5Hex(bytes)))
            #expect(try await s3.send(client, .head, path).status == 403, "upload-done revokes the key pair")
        }
    }

    @Test func refusalsAreS3ErrorsAndKeepNothing() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let (imageId, prepared) = try await Self.prepared(client, size: 10)
            let (otherId, _) = try await Self.prepared(client, size: 10)
            let s3 = try S3Signer(prepared)
            let path = "/uploads/\(imageId)"
            let ten = Array("0123456789".utf8)
            var wrong = s3
            wrong.secret += "x"
            let forged = try await wrong.send(client, .put, path, body: ten)
            #expect(forged.status == 403 && forged.code == "SignatureDoesNotMatch")
            #expect(forged.text.contains("<RequestId>") && !forged.text.contains(s3.secret))
            #expect(try await s3.send(client, .put, "/uploads/\(otherId)", body: ten).code == "AccessDenied")
            let unsigned = try await client.send(.put, path, body: .raw("0123456789"), auth: .none)
            #expect(unsigned.status == 403 && unsigned.text.contains("<Code>AccessDenied</Code>"))
            let tooLarge = try await s3.send(client, .put, path, body: Array(repeating: 1, count: 11))
            #expect(tooLarge.status == 400 && tooLarge.code == "EntityTooLarge")
            let badDigest = try await s3.send(client, .put, path, headers: ["Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="], body: ten)
            #expect(badDigest.status == 400 && badDigest.code == "BadDigest")
            let badHash = try await s3.send(client, .put, path, body: ten, payload: SigV4.sha256Hex(Array("other".utf8)))
            #expect(badHash.code == "XAmzContentSHA256Mismatch")
            #expect(try await s3.send(client, .delete, path).code == "NotImplemented")
            #expect(try await s3.send(client, .get, "/uploads", query: "list-type=2").status == 501)
            let head = try await s3.send(client, .head, path)
            #expect(head.status == 404, "nothing was kept")
            #expect(try await s3.send(client, .get, path).code == "NoSuchKey")
        }
    }

    @Test func multipartUploadCompletesWithItsETagAndAbortRemovesIt() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let first = [UInt8](repeating: 1, count: 70_000), second = [UInt8](repeating: 2, count: 30_000)
            let (imageId, prepared) = try await Self.prepared(client, size: first.count + second.count)
            let s3 = try S3Signer(prepared)
            let path = "/uploads/\(imageId)"
            let created = try await s3.send(client, .post, path, query: "uploads=")
            let uploadId = try #require(created.text.components(separatedBy: "<UploadId>").last?.components(separatedBy: "<").first)
            #expect(uploadId.hasPrefix("mpu-"))
            let one = try await s3.send(client, .put, path, query: "partNumber=1&uploadId=\(uploadId)", body: first)
            let statusBefore = lookup(try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region).json!, "data.status")
            // A part that fails its checks is refused alone: the upload stays open, part 1 stays.
            let badTwo = try await s3.send(client, .put, path, query: "partNumber=2&uploadId=\(uploadId)",
                                           headers: ["Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="], body: second)
            #expect(badTwo.code == "BadDigest")
            let statusAfter = lookup(try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region).json!, "data.status")
            #expect(statusAfter == statusBefore, "a failed part changed the image from \(statusBefore?.serialized ?? "?")")
            let two = try await s3.send(client, .put, path, query: "partNumber=2&uploadId=\(uploadId)", body: second)
            #expect(one.headers[.eTag] == "\"\(md5Hex(first))\"" && two.status == 200)
            let third = try await s3.send(client, .put, path, query: "partNumber=3&uploadId=\(uploadId)", body: [3])
            #expect(third.code == "EntityTooLarge", "the parts already hold the prepared size")
            let listed = try await s3.send(client, .get, path, query: "uploadId=\(uploadId)")
            #expect(!listed.text.contains("<PartNumber>3</PartNumber>"))
            #expect(listed.text.contains("<PartNumber>2</PartNumber>") && listed.text.contains("<Size>30000</Size>"))

            func complete(_ etags: [String]) async throws -> S3Reply {
                let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\($0.element)</ETag></Part>" }
                return try await s3.send(client, .post, path, query: "uploadId=\(uploadId)",
                                         body: Array("<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>".utf8))
            }
            #expect(try await complete([one.headers[.eTag]!, "\"\(md5Hex(first))\""]).code == "InvalidPart")
            let completed = try await complete([one.headers[.eTag]!, two.headers[.eTag]!])
            let joined = md5Hex(Array(Data(hex: md5Hex(first))! + Data(hex: md5Hex(second))!))
            #expect(completed.status == 200 && completed.text.contains("<ETag>&quot;\(joined)-2&quot;</ETag>"), "\(completed.text)")
            #expect(try await s3.send(client, .head, path).headers[.eTag] == "\"\(joined)-2\"")
            #expect(try await s3.send(client, .get, path).body == first + second)

            let aborted = try await s3.send(client, .post, path, query: "uploads=")
            let abortedId = try #require(aborted.text.components(separatedBy: "<UploadId>").last?.components(separatedBy: "<").first)
            #expect(try await s3.send(client, .put, path, query: "partNumber=1&uploadId=\(abortedId)", body: second).status == 200)
            #expect(try await s3.send(client, .delete, path, query: "uploadId=\(abortedId)").status == 204)
            #expect(try await s3.send(client, .get, path, query: "uploadId=\(abortedId)").code == "NoSuchUpload")

            // upload-done names the multipart upload by its own id.
            #expect(try await Self.done(client, imageId, uploadId: uploadId)["code"] == "Success")
            let image = try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: Self.region)
            #expect(lookup(image.json!, "data.size") == .int(100_000) && lookup(image.json!, "data.checksum") == .string(md5Hex(first + second)))
        }
    }

    @Test func aChunkSignedPutIsDecodedAndEachChunkChecked() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let bytes = [UInt8](repeating: 7, count: 5000)
            let (imageId, prepared) = try await Self.prepared(client, size: bytes.count)
            let s3 = try S3Signer(prepared)
            let path = "/uploads/\(imageId)"
            func put(tamper: Bool) async throws -> S3Reply {
                let now = Date()
                let headers = ["x-amz-decoded-content-length": "5000", "content-encoding": "aws-chunked"]
                let fields = s3.headers("PUT", path, headers: headers, body: [], payload: SigV4.streamingPayload, now: now)
                let seed = String(fields[.authorization]!.components(separatedBy: "Signature=").last!)
                let timestamp = SigV4Claim.timestamp(now)
                let key = SigV4.signingKey(dateKey: SigV4.dateKey(secret: s3.secret, date: String(timestamp.prefix(8))),
                                           region: "us-east-1", service: "s3")
                var previous = seed, body: [UInt8] = []
                for chunk in [Array(bytes[0..<4096]), Array(bytes[4096...]), []] {
                    let sts = SigV4.chunkStringToSign(timestamp: timestamp, scope: "\(timestamp.prefix(8))/us-east-1/s3/aws4_request",
                                                      previousSignature: previous, chunkHash: SigV4.sha256Hex(chunk))
                    previous = SigV4.signature(key: key, stringToSign: sts)
                    let sent = tamper && chunk.count == 904 ? chunk.map { $0 ^ 1 } : chunk
                    body += Array("\(String(chunk.count, radix: 16));chunk-signature=\(previous)\r\n".utf8) + sent + Array("\r\n".utf8)
                }
                let response = try await client.client.execute(uri: path, method: .put, headers: fields, body: .init(bytes: body))
                return S3Reply(status: Int(response.status.code), headers: response.headers, body: Array(response.body.readableBytesView))
            }
            #expect(try await put(tamper: true).code == "SignatureDoesNotMatch")
            #expect(try await s3.send(client, .head, path).status == 404)
            let good = try await put(tamper: false)
            #expect(good.status == 200 && good.headers[.eTag] == "\"\(md5Hex(bytes))\"", "\(good.text)")
        }
    }

    /// What botocore sends over HTTPS: aws-chunked, unsigned, with a CRC32 trailer.
    @Test func anUnsignedChunkedPutIsCheckedByItsTrailingChecksum() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let (imageId, prepared) = try await Self.prepared(client, size: 9)
            let s3 = try S3Signer(prepared)
            let path = "/uploads/\(imageId)"
            func put(crc: String) async throws -> S3Reply {
                let body = Array("4\r\n1234\r\n5\r\n56789\r\n0\r\nx-amz-checksum-crc32:\(crc)\r\n\r\n".utf8)
                let headers = ["content-encoding": "aws-chunked", "x-amz-decoded-content-length": "9", "x-amz-trailer": "x-amz-checksum-crc32"]
                return try await s3.send(client, .put, path, headers: headers, body: body, payload: SigV4.unsignedTrailer)
            }
            #expect(try await put(crc: "AAAAAA==").code == "BadDigest")
            let good = try await put(crc: "y/Q5Jg==")
            #expect(good.status == 200 && good.headers[.eTag] == "\"\(md5Hex(Array("123456789".utf8)))\"", "\(good.text)")
            #expect(try await s3.send(client, .get, path).body == Array("123456789".utf8))
        }
    }

    @Test func uploadDoneTakesItsOwnIdsNoneOrAForeignOneButNotAStaleOne() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let (imageId, first) = try await Self.prepared(client, size: 3)
            let again = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/upload-prepare", headers: Self.region,
                                              body: .json(["size": 3]))
            let s3 = try S3Signer(again.json!)
            #expect(try await S3Signer(first).send(client, .put, "/uploads/\(imageId)", body: [1, 2, 3]).code == "InvalidAccessKeyId",
                    "a new prepare ends the old key pair")
            #expect(try await s3.send(client, .put, "/uploads/\(imageId)", body: [1, 2, 3]).status == 200)
            let stale = try await Self.done(client, imageId, uploadId: lookup(first, "data.uploadId")?.stringValue)
            #expect(stale["code"] == "IMG.InvalidParameter")
            #expect(try await Self.done(client, imageId, uploadId: "test")["code"] == "Success")
        }
    }
}

extension Data {
    init?(hex: String) {
        var bytes: [UInt8] = []
        var chars = hex.makeIterator()
        while let a = chars.next(), let b = chars.next() {
            guard let byte = UInt8(String([a, b]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(bytes)
    }
}
