import HTTPTypes
import Hummingbird
import IMSModel
import IMSService

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
                return CanonicalWire.json(.ok, ["imageId": ticket.imageId, "uploadId": ticket.uploadId])
            } catch {
                return Self.answer(error as? CanonicalError ?? .internal("\(error)"))
            }
        }
    }

    /// More bytes than were prepared is HTTP's own "too large" (nothing was kept); others as usual.
    static func answer(_ error: CanonicalError) -> Response {
        guard case .rejected(.sizeMismatch, _) = error else { return CanonicalWire.error(error) }
        return CanonicalWire.json(.contentTooLarge, CanonicalWire.Answer(result: nil, error: error))
    }
}

extension HTTPField.Name {
    static let uploadToken = Self("X-Upload-Token")!
}
