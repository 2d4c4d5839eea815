import Crypto
import Foundation
import IMSModel
import IMSService

/// AWS Signature Version 4 as S3 checks it, as pure functions of a request's parts and a key.
/// The key derivation is split after its first step (`dateKey`): the store keeps that per-day
/// key instead of the secret, since it is all verification needs and does not give the secret.
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let streamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    /// aws-chunked, unsigned, with a trailing checksum: what botocore sends over HTTPS.
    public static let unsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    public static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// HMAC("AWS4" + secret, yyyymmdd): the first step of the signing key, for one day (an
    /// upload key is minted with it: `SigV4Keys`).
    public static func dateKey(secret: String, date: String) -> [UInt8] {
        SigV4Keys.dateKey(secret: secret, date: date)
    }

    /// The signing key of one day, region and service.
    public static func signingKey(dateKey: [UInt8], region: String, service: String) -> [UInt8] {
        hmac(hmac(hmac(dateKey, region), service), "aws4_request")
    }

    /// The canonical request: method, URI, sorted query, the signed headers, and the payload hash.
    /// `path` is the path as sent (S3 signs it encoded once, as it is on the wire); `query` the
    /// decoded pairs; `headers` the lower-cased names with their values, for the signed names.
    public static func canonicalRequest(method: String, path: String, query: [(String, String)],
                                        headers: [String: String], signedHeaders: [String], payloadHash: String) -> String {
        let encoded: [(String, String)] = query.map { (uriEncode($0.0), uriEncode($0.1)) }
        let sorted = encoded.sorted { a, b in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let encodedQuery = sorted.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
        var canonicalHeaders = ""
        for name in signedHeaders {
            canonicalHeaders += name + ":" + (headers[name] ?? "") + "\n"
        }
        let lines: [String] = [method, path.isEmpty ? "/" : path, encodedQuery, canonicalHeaders,
                               signedHeaders.joined(separator: ";"), payloadHash]
        return lines.joined(separator: "\n")
    }

    public static func stringToSign(timestamp: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, timestamp, scope, sha256Hex(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// What one chunk of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body signs: its bytes' hash,
    /// chained to the previous chunk's signature (the first chunk's is the header's).
    public static func chunkStringToSign(timestamp: String, scope: String, previousSignature: String, chunkHash: String) -> String {
        ["AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, previousSignature, emptySHA256, chunkHash].joined(separator: "\n")
    }

    public static func signature(key: [UInt8], stringToSign: String) -> String {
        Secrets.hex(hmac(key, stringToSign))
    }

    /// A header value as SigV4 canonicalizes it: trimmed, inner runs of spaces made one.
    public static func canonicalValue(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    /// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, every other byte `%XX`.
    public static func uriEncode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    public static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        Secrets.hex(SHA256.hash(data: Array(bytes)))
    }

    /// Equal signatures, compared in time that does not depend on where they differ.
    public static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
