import Foundation
import HTTPTypes
import Hummingbird
import IMSService
import Logging

/// The S3-compatible object endpoint for CECSTACK's prepared uploads, on the gateway's own
/// listener: path-style `/<bucket>/<imageId>` or virtual-host-style `<bucket>.<host>/<imageId>`.
/// Every request is SigV4-signed with the key pair upload-prepare handed out, which opens that
/// one image's object; other requests go on to the rest of the gateway.
public struct S3Middleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext
    /// The bucket upload-prepare names.
    public static let bucket = "uploads"
    /// The region GetBucketLocation answers (S3's default, which every SDK assumes unasked).
    public static let region = "us-east-1"

    let objects: (any UploadObjects)?
    let proxy: S3Proxy?

    /// Served from `objects` when the store is in this process, else passed to `proxy`.
    public init(objects: (any UploadObjects)?, proxy: S3Proxy?) {
        self.objects = objects
        self.proxy = proxy
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let address = address(of: request) else { return try await next(request, context) }
        return await respond(to: request, at: address, context: context)
    }

    /// The bucket and key an S3 request names; `nil` for any other request. Synchronous, so the
    /// gateway's front asks it of every request without an `await` (see `GatewayFront`).
    public func address(of request: Request) -> S3Address? {
        S3Address.parse(host: request.head.authority, path: request.uri.path, bucket: Self.bucket)
    }

    /// The answer to an S3 request.
    public func respond(to request: Request, at address: S3Address, context: Context) async -> Response {
        let requestId = request.headers[.requestID] ?? RequestIDs.make()
        let started = ContinuousClock.now
        let response: Response
        if let objects {
            do {
                response = try await S3Handlers(objects: S3Objects(objects: objects), requestId: requestId, context: context)
                    .serve(request, address)
            } catch {
                response = S3Responses.error(error, resource: request.uri.path, requestId: requestId, head: request.method == .head)
            }
        } else if let proxy {
            response = await proxy.forward(request, requestId: requestId)
        } else {
            response = S3Responses.error(S3Error(.notImplemented, "This gateway serves no object store."), resource: request.uri.path,
                                         requestId: requestId, head: request.method == .head)
        }
        // Presigned URLs' signatures and credentials leave the query before it is logged.
        if RequestLog.wanted(by: context.logger) {
            var line = RequestLog(request, requestId: requestId, started: started)
            line.dialect = "s3"
            line.write(status: Int(response.status.code), bytesOut: response.body.contentLength, to: context.logger)
        }
        return response
    }
}

/// Serves one authenticated S3 request against the store.
struct S3Handlers {
    let objects: S3Objects
    let requestId: String
    let context: GatewayRequestContext

    func serve(_ request: Request, _ address: S3Address) async throws(S3Error) -> Response {
        let query = S3Address.query(request.uri.query)
        let signed = Self.signedRequest(request, query: query)
        guard let claim = try SigV4Claim.parse(headers: signed.headers, query: query) else {
            throw S3Error(.accessDenied, "Anonymous access is not allowed; sign the request with the upload's key pair.")
        }
        let key = try await objects.uploadKey(claim.accessKey)
        let signingKey = try S3Authenticator.verify(claim, signed, key: key, now: Date())
        let operation = S3Operation.of(method: request.method, key: address.key, query: query,
                                       copySource: request.headers[.amzCopySource] != nil)
        if case .notImplemented(let what) = operation {
            throw S3Error(.notImplemented, "The gateway's object endpoint does not serve \(what); see the README for what it serves.")
        }
        guard address.key.isEmpty || address.key == key?.imageId else {
            throw S3Error(.accessDenied, "Access Denied")
        }
        let payload = Payload(claim: claim, signingKey: signingKey, headers: request.headers)
        switch operation {
        case .getBucketLocation:
            return S3Responses.xml(S3XML.document("LocationConstraint", []), requestId: requestId)
        case .headBucket:
            return S3Responses.empty(requestId: requestId, headers: [.amzBucketRegion: S3Middleware.region])
        case .putObject, .headObject, .getObject:
            return try await objectOperation(operation, request, address, payload)
        default:
            return try await multipartOperation(operation, request, address, payload)
        }
    }

    /// Lower-cased header names with SigV4-canonical values, `host` from the request's authority.
    static func signedRequest(_ request: Request, query: [(String, String)]) -> SignedRequest {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            let value = SigV4.canonicalValue(field.value)
            headers[name] = headers[name].map { $0 + "," + value } ?? value
        }
        headers["host"] = request.head.authority ?? ""
        return SignedRequest(method: request.method.rawValue, path: request.uri.path, query: query, headers: headers)
    }
}
