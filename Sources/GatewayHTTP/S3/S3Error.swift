import HTTPTypes
import IMSModel
import IMSService

/// An S3 error: its code, the HTTP status S3 answers it with, and a message for the client.
/// Messages name only what the client sent, never internals or secrets.
public struct S3Error: Error, Sendable, Equatable {
    public enum Code: String, Sendable {
        case accessDenied = "AccessDenied"
        case authorizationHeaderMalformed = "AuthorizationHeaderMalformed"
        case authorizationQueryParametersError = "AuthorizationQueryParametersError"
        case badDigest = "BadDigest"
        case entityTooLarge = "EntityTooLarge"
        case expiredToken = "ExpiredToken"
        case incompleteBody = "IncompleteBody"
        case internalError = "InternalError"
        case invalidAccessKeyId = "InvalidAccessKeyId"
        case invalidArgument = "InvalidArgument"
        case invalidDigest = "InvalidDigest"
        case invalidPart = "InvalidPart"
        case invalidPartOrder = "InvalidPartOrder"
        case invalidRange = "InvalidRange"
        case invalidRequest = "InvalidRequest"
        case invalidToken = "InvalidToken"
        case malformedXML = "MalformedXML"
        case missingContentLength = "MissingContentLength"
        case noSuchBucket = "NoSuchBucket"
        case noSuchKey = "NoSuchKey"
        case noSuchUpload = "NoSuchUpload"
        case notImplemented = "NotImplemented"
        case requestTimeTooSkewed = "RequestTimeTooSkewed"
        case serviceUnavailable = "ServiceUnavailable"
        case signatureDoesNotMatch = "SignatureDoesNotMatch"
        case xAmzContentSHA256Mismatch = "XAmzContentSHA256Mismatch"

        /// The status S3 answers the code with.
        public var status: HTTPResponse.Status {
            switch self {
            case .accessDenied, .invalidAccessKeyId, .requestTimeTooSkewed, .signatureDoesNotMatch: .forbidden
            case .noSuchBucket, .noSuchKey, .noSuchUpload: .notFound
            case .invalidRange: .rangeNotSatisfiable
            case .missingContentLength: .lengthRequired
            case .notImplemented: .notImplemented
            case .internalError: .internalServerError
            case .serviceUnavailable: .serviceUnavailable
            default: .badRequest
            }
        }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The canonical error an upload's store step ended with, as S3 would say it.
    public init(_ error: CanonicalError) {
        switch error {
        case .notFound: self.init(.noSuchKey, "The specified key does not exist.")
        case .forbidden, .unauthorized: self.init(.accessDenied, "Access Denied")
        case .rejected(.sizeMismatch, _): self.init(.entityTooLarge, "Your proposed upload exceeds the prepared size.")
        case .rejected(_, let why), .invalidParameter(_, let why): self.init(.invalidRequest, why)
        case .unavailable: self.init(.serviceUnavailable, "Please reduce your request rate.")
        default: self.init(.internalError, "We encountered an internal error. Please try again.")
        }
    }

    /// An upload object step's refusal, as S3 says it.
    public init(_ error: UploadObjectError) {
        switch error {
        case .noSuchKey: self.init(.noSuchKey, "The specified key does not exist.")
        case .noSuchUpload:
            self.init(.noSuchUpload, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
        case .tooLarge: self.init(.entityTooLarge, "Your proposed upload exceeds the prepared size.")
        case .partNumberOutOfRange: self.init(.invalidArgument, "Part number must be an integer between 1 and 10000, inclusive.")
        case .partsOutOfOrder:
            self.init(.invalidPartOrder, "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
        case .unknownPart:
            self.init(.invalidPart, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
        case .incompleteBody: self.init(.incompleteBody, "The request body ended before it was complete.")
        case .internalError: self.init(.internalError, "We encountered an internal error. Please try again.")
        case .canonical(let error): self.init(error)
        // The endpoint's own body checks are the only refusals it hands the service.
        case .refusedBody(let error):
            self = error as? S3Error ?? S3Error(.internalError, "We encountered an internal error. Please try again.")
        }
    }

    /// The `<Error>` document S3 answers with.
    public func xml(resource: String, requestId: String, declaration: Bool = true) -> String {
        S3XML.document("Error", [("Code", code.rawValue), ("Message", message), ("Resource", resource), ("RequestId", requestId)],
                       namespace: false, declaration: declaration)
    }
}

/// A body whose digest or chunk signature fails keeps its S3 error through the service's upload step.
extension S3Error: BodyRefusal {}
