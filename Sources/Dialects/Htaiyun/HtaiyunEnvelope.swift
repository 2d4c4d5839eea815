import GatewayHTTP
import IMSModel

/// htaiyun's one envelope: `{"status":200,"message":"OK","result":{…,"links":[]},"links":[]}`;
/// errors keep it, with the HTTP status mirrored in `status`.
enum HtaiyunEnvelope {
    static func ok(_ result: JSONValue?) -> DialectResponse {
        var body: [String: JSONValue] = ["status": 200, "message": "OK"]
        if let result {
            body["result"] = result
            body["links"] = []
        }
        return DialectResponse(body: .object(body))
    }

    static func page(total: Int, offset: Int, limit: Int, entities: [JSONValue]) -> DialectResponse {
        ok([
            "total": .int(Int64(total)),
            "hasPrevious": .bool(offset > 0),
            "hasNext": .bool(offset + entities.count < total),
            "entities": .array(entities),
            "links": [],
        ])
    }

    /// The seed's own wording for what was not found.
    static let notFoundMessages = [
        "application": "application not exists",
        "user": "user not exists!",
        "instance": "application instance not exists",
    ]

    static func error(_ error: CanonicalError) -> DialectResponse {
        let (status, message): (HTTPStatus, String) = switch error {
        case .notFound(let kind, _): (.notAcceptable, notFoundMessages[kind] ?? "\(kind) not exists")
        case .conflict(let field, _) where field == "name": (.notAcceptable, "application name already used")
        case .conflict(let field, let why), .invalidParameter(let field, let why): (.notAcceptable, "\(field) \(why)")
        case .rejected(_, let why): (.notAcceptable, why)
        case .malformedBody(let why): (.badRequest, why)
        case .unauthorized, .forbidden: (.forbidden, "access denied")
        case .internal(let why): (.internalServerError, why)
        case .unavailable(let why): (.serviceUnavailable, why)
        case .tooLarge, .noRoute: (error.frontDoorStatus ?? .badRequest, error.description)
        }
        return DialectResponse(status: status, body: ["status": .int(Int64(status.code)), "message": .string(message)],
                               headers: error.allowHeader)
    }
}
