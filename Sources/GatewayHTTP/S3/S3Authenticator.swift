import Foundation
import IMSService

/// A request's parts as SigV4 signs them.
public struct SignedRequest: Sendable {
    public var method: String
    /// The path as sent, still percent-encoded.
    public var path: String
    /// Decoded query pairs, in order.
    public var query: [(String, String)]
    /// Lower-cased header names with canonical values (several values joined by ","), `host` included.
    public var headers: [String: String]

    public init(method: String, path: String, query: [(String, String)], headers: [String: String]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }
}

/// Checks a SigV4 claim against the upload key it names: the key exists and has not expired,
/// the request's time is current, the signature is right, and a session token, where sent, is
/// the upload's. Answers the signing key, which a streamed body's chunk signatures need.
public enum S3Authenticator {
    public static func verify(_ claim: SigV4Claim, _ request: SignedRequest, key: UploadKey?, now: Date) throws(S3Error) -> [UInt8] {
        guard let key else {
            throw S3Error(.invalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records.")
        }
        guard let signedAt = SigV4Claim.date(claim.timestamp) else {
            throw S3Error(.authorizationHeaderMalformed, "The request date is malformed.")
        }
        if let expires = claim.expires {
            guard now <= signedAt.addingTimeInterval(TimeInterval(expires)) else { throw S3Error(.accessDenied, "Request has expired") }
            guard signedAt <= now.addingTimeInterval(UploadKey.skew) else {
                throw S3Error(.requestTimeTooSkewed, "The difference between the request time and the server's time is too large.")
            }
        } else if abs(signedAt.timeIntervalSince(now)) > UploadKey.skew {
            throw S3Error(.requestTimeTooSkewed, "The difference between the request time and the server's time is too large.")
        }
        guard now <= key.expiresAt else { throw S3Error(.accessDenied, "The upload's key has expired; prepare the upload again.") }
        guard claim.service == "s3", claim.signedHeaders.contains("host") else {
            throw S3Error(.authorizationHeaderMalformed, "The credential must be for the s3 service and sign the host header.")
        }
        let signingKey = key.dateKeys[claim.date].flatMap(Secrets.bytes(hex:)).map {
            SigV4.signingKey(dateKey: $0, region: claim.region, service: claim.service)
        }
        let query = claim.expires == nil ? request.query : request.query.filter { $0.0 != "X-Amz-Signature" }
        let canonical = SigV4.canonicalRequest(method: request.method, path: request.path, query: query, headers: request.headers,
                                               signedHeaders: claim.signedHeaders, payloadHash: claim.payloadHash)
        let stringToSign = SigV4.stringToSign(timestamp: claim.timestamp, scope: claim.scope, canonicalRequest: canonical)
        guard let signingKey, SigV4.same(SigV4.signature(key: signingKey, stringToSign: stringToSign), claim.signature.lowercased()) else {
            throw S3Error(.signatureDoesNotMatch,
                          "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        }
        if let token = claim.securityToken, !SigV4.same(Secrets.sha256Hex(token), key.tokenSha256) {
            throw S3Error(.invalidToken, "The provided token is malformed or otherwise invalid.")
        }
        return signingKey
    }
}
