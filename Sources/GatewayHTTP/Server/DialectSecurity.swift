import IMSModel

/// How a dialect's clients present their credential, as OpenAPI security schemes, and the
/// headers every one of its requests must carry besides (CECSTACK's `x-regionid`). Declared by
/// the dialect next to the code that reads the credential.
public struct DialectSecurity: Sendable {
    public enum Scheme: Sendable {
        /// HTTP Basic (`Authorization: Basic base64(id:secret)`).
        case basic
        /// `Authorization: Bearer <token>`.
        case bearer
        /// A key in the named request header.
        case header(String)
        /// A value in the named query parameter (a signature, the key it was made with).
        case query(String)
    }

    /// Named schemes, in the order the document lists them.
    public var schemes: [(name: String, scheme: Scheme, description: String)]
    /// Alternatives: a request must satisfy every scheme of one of them.
    public var requirements: [[String]]
    /// Headers required on every operation, whatever the credential.
    public var headers: [InputParameter]

    public init(schemes: [(name: String, scheme: Scheme, description: String)] = [], requirements: [[String]] = [],
                headers: [InputParameter] = []) {
        self.schemes = schemes
        self.requirements = requirements
        self.headers = headers
    }

    /// `components.securitySchemes` of an OpenAPI document.
    var schemesJSON: JSONValue {
        .object(Dictionary(schemes.map { name, scheme, description in
            let fields: JSONValue = switch scheme {
            case .basic: ["type": "http", "scheme": "basic", "description": .string(description)]
            case .bearer: ["type": "http", "scheme": "bearer", "description": .string(description)]
            case .header(let header): ["type": "apiKey", "in": "header", "name": .string(header), "description": .string(description)]
            case .query(let name): ["type": "apiKey", "in": "query", "name": .string(name), "description": .string(description)]
            }
            return (name, fields)
        }, uniquingKeysWith: { a, _ in a }))
    }

    /// The document's top-level `security`.
    var requirementsJSON: JSONValue {
        .array(requirements.map { names in .object(Dictionary(names.map { ($0, []) }, uniquingKeysWith: { a, _ in a })) })
    }
}
