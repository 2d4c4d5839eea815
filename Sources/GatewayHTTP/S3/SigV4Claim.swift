import Foundation
import IMSService

/// What a SigV4-signed request claims, read from its `Authorization` header or, for a presigned
/// URL, from its `X-Amz-*` query parameters. Parsing checks shape only; `S3Authenticator`
/// checks the signature.
public struct SigV4Claim: Sendable, Equatable {
    public var accessKey: String
    /// yyyymmdd of the credential scope.
    public var date: String
    public var region: String
    public var service: String
    /// yyyymmddThhmmssZ of the request.
    public var timestamp: String
    public var signedHeaders: [String]
    public var signature: String
    /// The `x-amz-content-sha256` claim: a hex digest, `UNSIGNED-PAYLOAD` or the streaming form.
    public var payloadHash: String
    /// Seconds a presigned URL is good for; `nil` for a signed header.
    public var expires: Int?
    public var securityToken: String?

    public var scope: String { "\(date)/\(region)/\(service)/aws4_request" }

    /// The claim of a request, or `nil` when it carries no SigV4 signature at all.
    public static func parse(headers: [String: String], query: [(String, String)]) throws(S3Error) -> SigV4Claim? {
        if let authorization = headers["authorization"] {
            return try header(authorization, headers: headers, query: query)
        }
        if query.contains(where: { $0.0 == "X-Amz-Signature" }) {
            return try presigned(query, headers: headers)
        }
        return nil
    }

    static func header(_ authorization: String, headers: [String: String], query: [(String, String)]) throws(S3Error) -> SigV4Claim {
        guard authorization.hasPrefix(SigV4.algorithm + " ") else {
            throw S3Error(.authorizationHeaderMalformed, "only \(SigV4.algorithm) signatures are accepted")
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(SigV4.algorithm.count + 1).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"],
              let timestamp = headers["x-amz-date"] ?? headers["date"].flatMap(Self.timestamp(httpDate:))
        else { throw S3Error(.authorizationHeaderMalformed, "the Authorization header is missing a part") }
        var claim = try Self.credential(credential, timestamp: timestamp, signedHeaders: signed, signature: signature)
        claim.payloadHash = headers["x-amz-content-sha256"] ?? SigV4.unsignedPayload
        claim.securityToken = headers["x-amz-security-token"]
        return claim
    }

    static func presigned(_ query: [(String, String)], headers: [String: String]) throws(S3Error) -> SigV4Claim {
        let value = { (name: String) in query.last { $0.0 == name }?.1 }
        guard value("X-Amz-Algorithm") == SigV4.algorithm else {
            throw S3Error(.authorizationQueryParametersError, "X-Amz-Algorithm must be \(SigV4.algorithm)")
        }
        guard let credential = value("X-Amz-Credential"), let timestamp = value("X-Amz-Date"),
              let signed = value("X-Amz-SignedHeaders"), let signature = value("X-Amz-Signature"),
              let expires = value("X-Amz-Expires").flatMap(Int.init), (1...604_800).contains(expires)
        else { throw S3Error(.authorizationQueryParametersError, "a presigned URL needs every X-Amz-* parameter") }
        var claim = try Self.credential(credential, timestamp: timestamp, signedHeaders: signed, signature: signature)
        claim.expires = expires
        claim.payloadHash = headers["x-amz-content-sha256"] ?? SigV4.unsignedPayload
        claim.securityToken = value("X-Amz-Security-Token")
        return claim
    }

    /// `AKID/yyyymmdd/region/service/aws4_request`.
    static func credential(_ text: String, timestamp: String, signedHeaders: String, signature: String) throws(S3Error) -> SigV4Claim {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[4] == "aws4_request", parts[1].count == 8, timestamp.hasPrefix(parts[1]),
              Self.date(timestamp) != nil
        else { throw S3Error(.authorizationHeaderMalformed, "the credential scope or the request date is malformed") }
        return SigV4Claim(accessKey: parts[0], date: parts[1], region: parts[2], service: parts[3], timestamp: timestamp,
                          signedHeaders: signedHeaders.split(separator: ";").map { $0.lowercased() },
                          signature: signature, payloadHash: SigV4.unsignedPayload)
    }

    /// The request time of a yyyymmddThhmmssZ stamp.
    public static func date(_ timestamp: String) -> Date? {
        let digits = Array(timestamp.utf8)
        guard digits.count == 16, digits[8] == UInt8(ascii: "T"), digits[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        return utc.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    /// `yyyymmddThhmmssZ`, in UTC (written where upload keys are minted: `SigV4Keys`).
    public static func timestamp(_ date: Date) -> String { SigV4Keys.timestamp(date) }

    /// An HTTP `Date` header (`Tue, 27 Mar 2007 19:36:42 +0000` or `… GMT`) as a stamp.
    static func timestamp(httpDate: String) -> String? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = httpDate.split(separator: " ")
        guard parts.count >= 5, let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, let date = utc.date(from: DateComponents(year: year, month: month + 1, day: day, hour: clock[0],
                                                                        minute: clock[1], second: clock[2]))
        else { return nil }
        return timestamp(date)
    }

    static let utc = SigV4Keys.utc
}
