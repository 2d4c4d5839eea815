import HTTPTypes
import Hummingbird

/// Where image bytes are PUT after a CECSTACK upload-prepare: `PUT /ims/v1/uploads/{imageId}`
/// with the ticket's token as `?token=` or `X-Upload-Token`. The body streams to the backend.
struct UploadRoutes: Sendable {
    let backend: any Backend

    func add(to router: Router<GatewayRequestContext>) {
        router.put("/ims/v1/uploads/{imageId}") { request, context -> Response in
            let imageId = try context.parameters.require("imageId")
            let token = request.uri.queryParameters["token"].map(String.init) ?? request.headers[.uploadToken] ?? ""
            do {
                let ticket = try await backend.upload(imageId: imageId, token: token, body: request.body)
                return CanonicalJSON.response(.ok, ["imageId": .string(ticket.imageId), "uploadId": .string(ticket.uploadId)])
            } catch {
                return CanonicalJSON.error(error as? CanonicalError ?? .internal("\(error)"))
            }
        }
    }
}

extension HTTPField.Name {
    static let uploadToken = Self("X-Upload-Token")!
}

/// Answers of the gateway's own endpoints (`/ims/v1/...`): plain JSON, errors as
/// `{"error":{"kind","message"}}` with a fitting status.
enum CanonicalJSON {
    static func response(_ status: HTTPResponse.Status, _ body: JSONValue) -> Response {
        var buffer = ByteBuffer()
        body.write(into: &buffer)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    static func error(_ error: CanonicalError) -> Response {
        let (status, kind): (HTTPResponse.Status, String) = switch error {
        case .notFound: (.notFound, "notFound")
        case .invalidParameter, .malformedBody: (.badRequest, "invalidParameter")
        case .conflict: (.conflict, "conflict")
        case .rejected(let reason, _): (.conflict, reason.rawValue)
        case .unauthorized: (.unauthorized, "unauthorized")
        case .forbidden: (.forbidden, "forbidden")
        case .internal: (.internalServerError, "internal")
        }
        return response(status, ["error": ["kind": .string(kind), "message": .string(error.description)]])
    }
}
