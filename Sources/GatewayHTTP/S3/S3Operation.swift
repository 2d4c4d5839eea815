import HTTPTypes

/// The S3 operations the endpoint serves, told apart by method, key and subresource, as S3
/// does; anything else is `notImplemented`.
public enum S3Operation: Sendable, Equatable {
    case putObject, headObject, getObject
    case createMultipartUpload
    case uploadPart(number: Int, uploadId: String)
    case listParts(uploadId: String)
    case completeMultipartUpload(uploadId: String)
    case abortMultipartUpload(uploadId: String)
    case getBucketLocation, headBucket
    case notImplemented(String)

    /// Subresources whose presence makes a request another operation than the plain one.
    static let otherSubresources: Set<String> = [
        "acl", "tagging", "versions", "versionId", "retention", "legal-hold", "torrent", "restore", "select",
        "attributes", "policy", "cors", "lifecycle", "website", "logging", "notification", "replication",
        "encryption", "versioning", "object-lock", "accelerate", "requestPayment", "delete", "list-type",
    ]

    public static func of(method: HTTPRequest.Method, key: String, query: [(String, String)], copySource: Bool) -> S3Operation {
        let names = Set(query.map(\.0))
        let value = { (name: String) in query.last { $0.0 == name }?.1 }
        if let other = names.first(where: otherSubresources.contains) {
            return .notImplemented("?\(other)")
        }
        if key.isEmpty {
            switch method {
            case .get where names.contains("location"): return .getBucketLocation
            case .head: return .headBucket
            default: return .notImplemented("\(method.rawValue) on the bucket")
            }
        }
        switch method {
        case .put:
            if copySource { return .notImplemented("copying objects") }
            if let uploadId = value("uploadId"), let number = value("partNumber").flatMap({ Int($0) }) {
                return .uploadPart(number: number, uploadId: uploadId)
            }
            return names.contains("uploadId") || names.contains("partNumber") ? .notImplemented("PUT with that query") : .putObject
        case .head:
            return .headObject
        case .get:
            if let uploadId = value("uploadId") { return .listParts(uploadId: uploadId) }
            return .getObject
        case .post:
            if names.contains("uploads") { return .createMultipartUpload }
            if let uploadId = value("uploadId") { return .completeMultipartUpload(uploadId: uploadId) }
            return .notImplemented("POST with that query")
        case .delete:
            if let uploadId = value("uploadId") { return .abortMultipartUpload(uploadId: uploadId) }
            return .notImplemented("deleting objects")
        default:
            return .notImplemented(method.rawValue)
        }
    }
}
