import Foundation
@testable import GatewayHTTP
@testable import IMSService
import NIOCore
import Testing

/// SigV4 as pure functions, against the values of AWS's published S3 signing examples
/// (examplebucket, 2013-05-24, the documentation's example key pair).
@Suite struct SigV4Tests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let timestamp = "20130524T000000Z"
    static let scope = "20130524/us-east-1/s3/aws4_request"
    static var signingKey: [UInt8] {
        SigV4.signingKey(dateKey: SigV4.dateKey(secret: secret, date: "20130524"), region: "us-east-1", service: "s3")
    }

    static func sign(_ method: String, _ path: String, query: [(String, String)] = [], headers: [String: String],
                     signed: [String], payload: String) -> String {
        let canonical = SigV4.canonicalRequest(method: method, path: path, query: query, headers: headers,
                                               signedHeaders: signed, payloadHash: payload)
        return SigV4.signature(key: signingKey, stringToSign: SigV4.stringToSign(timestamp: timestamp, scope: scope,
                                                                                  canonicalRequest: canonical))
    }

    @Test func getObjectWithARange() {
        let signature = Self.sign("GET", "/test.txt", headers: [
            "host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9", "x-amz-content-sha256": SigV4.emptySHA256,
            "x-amz-date": Self.timestamp,
        ], signed: ["host", "range", "x-amz-content-sha256", "x-amz-date"], payload: SigV4.emptySHA256)
        #expect(signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObjectWithAnEncodedKey() {
        let payload = SigV4.sha256Hex(Array("Welcome to Amazon S3.".utf8))
        #expect(payload == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let signature = Self.sign("PUT", "/test%24file.text", headers: [
            "date": "Fri, 24 May 2013 00:00:00 GMT", "host": "examplebucket.s3.amazonaws.com", "x-amz-content-sha256": payload,
            "x-amz-date": Self.timestamp, "x-amz-storage-class": "REDUCED_REDUNDANCY",
        ], signed: ["date", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-storage-class"], payload: payload)
        #expect(signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func aSubresourceAndAQueryAreSortedAndEncoded() {
        let headers = ["host": "examplebucket.s3.amazonaws.com", "x-amz-content-sha256": SigV4.emptySHA256, "x-amz-date": Self.timestamp]
        let signed = ["host", "x-amz-content-sha256", "x-amz-date"]
        #expect(Self.sign("GET", "/", query: S3Address.query("lifecycle"), headers: headers, signed: signed, payload: SigV4.emptySHA256)
            == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
        #expect(Self.sign("GET", "/", query: S3Address.query("prefix=J&max-keys=2"), headers: headers, signed: signed,
                          payload: SigV4.emptySHA256)
            == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func aPresignedURL() throws {
        let query = S3Address.query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        let claim = try #require(try SigV4Claim.parse(headers: [:], query: query))
        #expect(claim.accessKey == "AKIAIOSFODNN7EXAMPLE" && claim.expires == 86400 && claim.payloadHash == SigV4.unsignedPayload)
        let key = UploadKey(accessKey: "AKIAIOSFODNN7EXAMPLE", imageId: "test.txt",
                            dateKeys: ["20130524": Self.hex(SigV4.dateKey(secret: Self.secret, date: "20130524"))],
                            tokenSha256: "", expiresAt: .distantFuture)
        let request = SignedRequest(method: "GET", path: "/test.txt", query: query, headers: ["host": "examplebucket.s3.amazonaws.com"])
        let signedAt = try #require(SigV4Claim.date(Self.timestamp))
        #expect(throws: Never.self) { try S3Authenticator.verify(claim, request, key: key, now: signedAt.addingTimeInterval(3600)) }
        #expect(throws: S3Error(.accessDenied, "Request has expired")) {
            try S3Authenticator.verify(claim, request, key: key, now: signedAt.addingTimeInterval(86401))
        }
        var wrong = key
        wrong.dateKeys["20130524"] = Self.hex(SigV4.dateKey(secret: Self.secret + "x", date: "20130524"))
        #expect(performing: { try S3Authenticator.verify(claim, request, key: wrong, now: signedAt) },
                throws: { ($0 as? S3Error)?.code == .signatureDoesNotMatch })
    }

    /// AWS's chunked upload example: 66,560 bytes of "a" in chunks of 65,536 and 1,024, then the
    /// closing empty chunk, each signature chained from the request's.
    static let chunkSignatures = ["ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                                  "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                                  "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"]
    static let seedSignature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"

    static func chunkedBody(signatures: [String]) -> [UInt8] {
        var body: [UInt8] = []
        for (size, signature) in zip([65536, 1024, 0], signatures) {
            body += Array("\(String(size, radix: 16));chunk-signature=\(signature)\r\n".utf8)
            body += [UInt8](repeating: UInt8(ascii: "a"), count: size) + Array("\r\n".utf8)
        }
        return body
    }

    @Test func theChunkedExampleSeedSignature() {
        let signature = Self.sign("PUT", "/examplebucket/chunkObject.txt", headers: [
            "content-encoding": "aws-chunked", "content-length": "66824", "host": "s3.amazonaws.com",
            "x-amz-content-sha256": SigV4.streamingPayload, "x-amz-date": Self.timestamp, "x-amz-decoded-content-length": "66560",
            "x-amz-storage-class": "REDUCED_REDUNDANCY",
        ], signed: ["content-encoding", "content-length", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-decoded-content-length",
                    "x-amz-storage-class"], payload: SigV4.streamingPayload)
        #expect(signature == Self.seedSignature)
        #expect(Self.chunkedBody(signatures: Self.chunkSignatures).count == 66824)
    }

    static func decode(_ body: [UInt8], pieces: Int) async throws -> [UInt8] {
        let signing = ChunkSigning(key: signingKey, timestamp: timestamp, scope: scope, seedSignature: seedSignature)
        let stream = AsyncStream<ByteBuffer> { continuation in
            var rest = body[...]
            while !rest.isEmpty {
                continuation.yield(ByteBuffer(bytes: rest.prefix(pieces)))
                rest = rest.dropFirst(pieces)
            }
            continuation.finish()
        }
        var out: [UInt8] = []
        for try await chunk in S3Payload(stream, claims: .init(decodedLength: 66560, chunks: signing)) {
            out += chunk.readableBytesView
        }
        return out
    }

    @Test(arguments: [7, 4096, 100_000]) func chunkSignaturesAreCheckedHoweverTheBytesArrive(pieces: Int) async throws {
        let decoded = try await Self.decode(Self.chunkedBody(signatures: Self.chunkSignatures), pieces: pieces)
        #expect(decoded == [UInt8](repeating: UInt8(ascii: "a"), count: 66560))
        var tampered = Self.chunkSignatures
        tampered[1] = String(tampered[1].reversed())
        await #expect(performing: { _ = try await Self.decode(Self.chunkedBody(signatures: tampered), pieces: pieces) },
                      throws: { ($0 as? S3Error)?.code == .signatureDoesNotMatch })
    }

    /// A key minted late in a day still verifies a request signed the next day, and none after
    /// its lifetime; the secret itself is not among what the store keeps.
    @Test func anUploadKeyCoversEachDayOfItsLifeAndThenExpires() throws {
        let minted = try #require(SigV4Claim.date("20261127T235000Z"))
        let (key, secret) = UploadKey.mint(imageId: "img-abcd1234", token: "t", now: minted)
        #expect(key.dateKeys.keys.sorted() == ["20261127", "20261128", "20261129"])
        #expect(!key.dateKeys.values.contains(secret) && key.tokenSha256 != "t")
        let later = minted.addingTimeInterval(20 * 3600)
        let timestamp = SigV4Claim.timestamp(later)
        let headers = ["host": "localhost", "x-amz-date": timestamp]
        let scope = "\(timestamp.prefix(8))/us-east-1/s3/aws4_request"
        let canonical = SigV4.canonicalRequest(method: "GET", path: "/uploads/img-abcd1234", query: [], headers: headers,
                                               signedHeaders: ["host", "x-amz-date"], payloadHash: SigV4.unsignedPayload)
        let signingKey = SigV4.signingKey(dateKey: SigV4.dateKey(secret: secret, date: String(timestamp.prefix(8))),
                                          region: "us-east-1", service: "s3")
        let signature = SigV4.signature(key: signingKey, stringToSign: SigV4.stringToSign(timestamp: timestamp, scope: scope,
                                                                                         canonicalRequest: canonical))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(key.accessKey)/\(scope), SignedHeaders=host;x-amz-date, Signature=\(signature)"
        let claim = try #require(try SigV4Claim.parse(headers: headers.merging(["authorization": authorization]) { a, _ in a }, query: []))
        let request = SignedRequest(method: "GET", path: "/uploads/img-abcd1234", query: [], headers: headers)
        #expect(throws: Never.self) { try S3Authenticator.verify(claim, request, key: key, now: later) }
        #expect(performing: { try S3Authenticator.verify(claim, request, key: key, now: later.addingTimeInterval(3600)) },
                throws: { ($0 as? S3Error)?.code == .requestTimeTooSkewed })
        var expired = key
        expired.expiresAt = later.addingTimeInterval(-1)
        #expect(performing: { try S3Authenticator.verify(claim, request, key: expired, now: later) },
                throws: { ($0 as? S3Error)?.code == .accessDenied })
    }

    @Test func addressesAndOperations() {
        #expect(S3Address.parse(host: "localhost:8080", path: "/uploads/img-abc", bucket: "uploads") == S3Address(bucket: "uploads", key: "img-abc"))
        #expect(S3Address.parse(host: "uploads.localhost:8080", path: "/img-abc", bucket: "uploads") == S3Address(bucket: "uploads", key: "img-abc"))
        #expect(S3Address.parse(host: "localhost:8080", path: "/uploads", bucket: "uploads") == S3Address(bucket: "uploads", key: ""))
        #expect(S3Address.parse(host: "localhost:8080", path: "/uploadsx/a", bucket: "uploads") == nil)
        #expect(S3Address.parse(host: "localhost", path: "/api/image/v1/images", bucket: "uploads") == nil)
        // On an `uploads.` host, the dialects' routes and the gateway's endpoints stay the gateway's.
        #expect(S3Address.parse(host: "uploads.example.org", path: "/api/image/v1/images", bucket: "uploads") == nil)
        #expect(S3Address.parse(host: "uploads.example.org", path: "/healthz", bucket: "uploads") == nil)
        #expect(S3Address.parse(host: "uploads.example.org", path: "/", bucket: "uploads") == S3Address(bucket: "uploads", key: ""))
        // Host names compare in any case; a host that only starts like the bucket is not one.
        #expect(S3Address.parse(host: "UPLOADS.Example.org", path: "/img-a%2Bb", bucket: "uploads") == S3Address(bucket: "uploads", key: "img-a+b"))
        #expect(S3Address.parse(host: "uploadsx.example.org", path: "/img-abc", bucket: "uploads") == nil)
        #expect(S3Address.parse(host: "uploads.", path: "/img-abc", bucket: "uploads") == nil)
        #expect(S3Address.parse(host: nil, path: "/uploads//img-abc", bucket: "uploads") == S3Address(bucket: "uploads", key: "img-abc"))
        #expect(S3Operation.of(method: .post, key: "k", query: S3Address.query("uploads"), copySource: false) == .createMultipartUpload)
        #expect(S3Operation.of(method: .put, key: "k", query: S3Address.query("partNumber=3&uploadId=u"), copySource: false)
            == .uploadPart(number: 3, uploadId: "u"))
        #expect(S3Operation.of(method: .get, key: "", query: S3Address.query("location"), copySource: false) == .getBucketLocation)
        #expect(S3Operation.of(method: .get, key: "k", query: S3Address.query("acl"), copySource: false) == .notImplemented("?acl"))
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
