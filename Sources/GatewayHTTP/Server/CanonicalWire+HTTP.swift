import HTTPTypes
import Hummingbird
import IMSModel
import Logging
import NIOCore

/// The canonical API's wire forms as HTTP answers (the forms themselves are the model's).
extension CanonicalWire {
    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body(value)))
    }

    static let logger = Logger(label: "ims-gateway.canonical-api")

    /// The error as the caller gets it. An internal failure's detail (a store or Swift error's
    /// description) is logged, not answered: the caller relays answers to legacy clients.
    static func error(_ error: any Error, requestId: String? = nil) -> Response {
        var answered = error as? CanonicalError ?? .internal("\(error)")
        if case .internal(let detail) = answered {
            logger.error("canonical API request failed", metadata: ["request_id": .string(requestId ?? ""), "error": .string(detail)])
            answered = .internal("internal error")
        }
        return json(status(answered), Answer(result: nil, error: answered))
    }

    static func status(_ error: CanonicalError) -> HTTPResponse.Status {
        switch error {
        case .notFound: .notFound
        case .invalidParameter, .malformedBody: .badRequest
        case .conflict, .rejected: .conflict
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .internal: .internalServerError
        case .unavailable: .serviceUnavailable
        case .tooLarge, .noRoute: error.frontDoorStatus ?? .badRequest
        }
    }
}

extension HTTPField.Name {
    /// The identity a trusted gateway asserts for a canonical command (JSON of `Identity`).
    static let imsIdentity = Self("X-IMS-Identity")!
}
