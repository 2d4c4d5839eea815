import GatewayHTTP
import IMSModel

/// Foreman's error layouts: `{"error":{"message":…}}` and, for validation, 422 with
/// `errors` per field and `full_messages`.
enum ForemanErrors {
    static func blank(_ fields: [String]) -> CanonicalError {
        .invalidParameter(field: fields.joined(separator: ","), message: "can't be blank")
    }

    static func response(_ error: CanonicalError) -> DialectResponse {
        switch error {
        case .notFound(let kind, let id):
            return message(.notFound, "Resource \(kind) not found by id '\(id)'")
        case .invalidParameter("search", let message), .invalidParameter("order", let message):
            return self.message(.badRequest, message)
        case .invalidParameter(let field, let message), .conflict(let field, let message):
            // Several blank fields arrive joined by commas.
            let keys = field.split(separator: ",").map { key in
                ImageField(rawValue: String(key)).flatMap { ForemanDialect.slots.key($0) } ?? String(key)
            }
            return validation(keys.map { ($0, message) })
        case .rejected(_, let why):
            return validation([("base", why)])
        case .malformedBody(let why):
            return message(.badRequest, why)
        case .unauthorized(let who):
            return message(.unauthorized, "Unable to authenticate user \(who)")
        case .forbidden(let why):
            return DialectResponse(status: .forbidden, body: ["error": ["message": "Access denied", "details": .string(why)]])
        case .unavailable(let why):
            return message(.serviceUnavailable, why)
        case .internal(let why):
            return message(.internalServerError, why)
        case .tooLarge, .noRoute:
            var answer = message(error.frontDoorStatus ?? .badRequest, error.description)
            answer.headers = error.allowHeader
            return answer
        }
    }

    static func message(_ status: HTTPStatus, _ text: String) -> DialectResponse {
        DialectResponse(status: status, body: ["error": ["message": .string(text)]])
    }

    static func validation(_ problems: [(field: String, message: String)]) -> DialectResponse {
        var errors: [String: JSONValue] = [:]
        for p in problems {
            if case .array(let list)? = errors[p.field] {
                errors[p.field] = .array(list + [.string(p.message)])
            } else {
                errors[p.field] = [.string(p.message)]
            }
        }
        let full = problems.map { p -> JSONValue in
            let label = p.field == "base" ? "" : humanize(p.field) + " "
            return .string(label + p.message)
        }
        return DialectResponse(status: .unprocessableContent, body: [
            "error": ["id": nil, "errors": .object(errors), "full_messages": .array(full)],
        ])
    }

    /// `compute_resource_id` → `Compute resource`, as Rails says it.
    static func humanize(_ key: String) -> String {
        var words = key.replacingOccurrences(of: "_id", with: "").replacingOccurrences(of: "_", with: " ")
        if let first = words.first { words.replaceSubrange(words.startIndex...words.startIndex, with: first.uppercased()) }
        return words
    }
}
