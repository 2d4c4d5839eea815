import Crypto
import Foundation
@testable import GatewayHTTP
import HTTPTypes
import HummingbirdTesting
@testable import IMSModel
import NIOCore
import Testing

/// Signs requests as an S3 SDK does (SigV4 header form), with the key pair of an upload-prepare
/// answer, and sends them through the test client.
struct S3Signer {
    var accessKey: String
    var secret: String
    var token: String?
    var host = "localhost"

    init(_ prepared: JSONValue) throws {
        accessKey = try #require(lookup(prepared, "data.accessKey")?.stringValue)
        secret = try #require(lookup(prepared, "data.secretKey")?.stringValue)
        token = lookup(prepared, "data.token")?.stringValue
    }

    /// `payload` is the `x-amz-content-sha256` claim; by default the body's real SHA-256.
    func headers(_ method: String, _ path: String, query: String = "", headers extra: [String: String] = [:], body: [UInt8],
                 payload: String? = nil, now: Date = Date()) -> HTTPFields {
        let timestamp = SigV4Claim.timestamp(now)
        let date = String(timestamp.prefix(8))
        var headers = extra.reduce(into: [String: String]()) { $0[$1.key.lowercased()] = $1.value }
        headers["host"] = host
        headers["x-amz-date"] = timestamp
        headers["x-amz-content-sha256"] = payload ?? SigV4.sha256Hex(body)
        if let token { headers["x-amz-security-token"] = token }
        let signed = headers.keys.sorted()
        let scope = "\(date)/us-east-1/s3/aws4_request"
        let canonical = SigV4.canonicalRequest(method: method, path: path, query: S3Address.query(query), headers: headers,
                                               signedHeaders: signed, payloadHash: headers["x-amz-content-sha256"]!)
        let key = SigV4.signingKey(dateKey: SigV4.dateKey(secret: secret, date: date), region: "us-east-1", service: "s3")
        let signature = SigV4.signature(key: key, stringToSign: SigV4.stringToSign(timestamp: timestamp, scope: scope, canonicalRequest: canonical))
        var fields = HTTPFields()
        for (name, value) in headers where name != "host" { fields[HTTPField.Name(name)!] = value }
        fields[.authorization] = "\(SigV4.algorithm) Credential=\(accessKey)/\(scope), SignedHeaders=\(signed.joined(separator: ";")), Signature=\(signature)"
        return fields
    }

    func send(_ client: GatewayClient, _ method: HTTPRequest.Method, _ path: String, query: String = "", headers: [String: String] = [:],
              body: [UInt8] = [], payload: String? = nil) async throws -> S3Reply {
        let fields = self.headers(method.rawValue, path, query: query, headers: headers, body: body, payload: payload)
        let response = try await client.client.execute(uri: query.isEmpty ? path : path + "?" + query, method: method, headers: fields,
                                                       body: body.isEmpty ? nil : ByteBuffer(bytes: body))
        return S3Reply(status: Int(response.status.code), headers: response.headers, body: Array(response.body.readableBytesView))
    }
}

struct S3Reply {
    var status: Int
    var headers: HTTPFields
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    /// The `<Code>` of an S3 error document.
    var code: String? {
        guard let open = text.range(of: "<Code>"), let close = text.range(of: "</Code>") else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}

func md5Hex(_ bytes: [UInt8]) -> String { Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
