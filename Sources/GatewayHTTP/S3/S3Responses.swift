import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The answers of the S3 endpoint: XML documents, empty answers with headers, S3 errors.
enum S3Responses {
    static func xml(_ document: String, requestId: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = base(requestId)
        headers[.contentType] = "application/xml"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document)))
    }

    static func empty(_ status: HTTPResponse.Status = .ok, requestId: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = base(requestId)
        headers.append(contentsOf: extra)
        if headers[.contentLength] == nil { headers[.contentLength] = "0" }
        return Response(status: status, headers: headers)
    }

    /// S3's `<Error>` document; a HEAD answer has the status and no body.
    static func error(_ error: S3Error, resource: String, requestId: String, head: Bool) -> Response {
        if head { return empty(error.code.status, requestId: requestId) }
        return xml(error.xml(resource: resource, requestId: requestId), requestId: requestId, status: error.code.status)
    }

    static func base(_ requestId: String) -> HTTPFields {
        [.amzRequestId: requestId, .amzId2: requestId]
    }

    /// `"<etag>"`, as S3 quotes them.
    static func quoted(_ etag: String) -> String { "\"\(etag)\"" }

    /// RFC 1123 (`Last-Modified`).
    static func httpDate(_ date: Date) -> String {
        let c = SigV4Claim.utc.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) GMT"
    }

    /// ISO 8601 with milliseconds (`LastModified` in XML).
    static func isoDate(_ date: Date) -> String {
        let stamp = SigV4Claim.timestamp(date)
        let d = Array(stamp)
        return "\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8]))T\(String(d[9..<11])):\(String(d[11..<13])):\(String(d[13..<15])).000Z"
    }
}

extension HTTPField.Name {
    static let amzRequestId = Self("x-amz-request-id")!
    static let amzId2 = Self("x-amz-id-2")!
    static let amzBucketRegion = Self("x-amz-bucket-region")!
    static let amzContentSHA256 = Self("x-amz-content-sha256")!
    static let amzDecodedContentLength = Self("x-amz-decoded-content-length")!
    static let amzCopySource = Self("x-amz-copy-source")!
    static let amzTrailer = Self("x-amz-trailer")!
    static let contentMD5 = Self("Content-MD5")!
}
