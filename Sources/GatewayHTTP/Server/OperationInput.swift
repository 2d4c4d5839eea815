import IMSModel

/// What one operation of a dialect accepts: its path, query and header parameters and its body.
/// Each dialect declares these beside its decoder, from the same constants the decoder checks
/// (page sizes, allowed values, required keys), and the OpenAPI documents are generated from
/// them, so a document cannot promise what the decoder refuses or hide what it needs.
public struct OperationInput: Sendable {
    public var path: [InputParameter]
    public var query: [InputParameter]
    public var headers: [InputParameter]
    /// The body as JSON.
    public var body: InputSchema?
    /// The body as `application/x-www-form-urlencoded` fields, where the dialect's clients send
    /// forms (Foreman's `image[name]=…`, htaiyun's seed); `nil` where they send JSON only.
    public var form: InputSchema?
    public var bodyRequired: Bool

    public init(path: [InputParameter] = [], query: [InputParameter] = [], headers: [InputParameter] = [],
                body: InputSchema? = nil, form: InputSchema? = nil, bodyRequired: Bool = false) {
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.form = form
        self.bodyRequired = bodyRequired
    }

    /// An operation that takes nothing beyond its route.
    public static let none = OperationInput()
}

/// One named parameter and its type.
public struct InputParameter: Sendable {
    public var name: String
    public var schema: InputSchema
    public var required: Bool
    public var description: String?

    public init(_ name: String, _ schema: InputSchema, required: Bool = false, description: String? = nil) {
        self.name = name
        self.schema = schema
        self.required = required
        self.description = description
    }
}

/// The JSON Schema subset the dialects' inputs need.
public indirect enum InputSchema: Sendable {
    case string(minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil, values: [String]? = nil)
    case integer(minimum: Int64? = nil, maximum: Int64? = nil)
    case boolean
    case array(InputSchema, maxItems: Int? = nil)
    /// Properties in declaration order; `required` names the keys that must be present.
    case object([(name: String, schema: InputSchema)], required: [String] = [])
    /// Any of several forms (e.g. a comma-separated string or an array of ids).
    case anyOf([InputSchema])

    /// A string from a fixed list.
    public static func oneOf(_ values: [String]) -> InputSchema { .string(values: values) }

    public var json: JSONValue {
        switch self {
        case .string(let minLength, let maxLength, let pattern, let values):
            var out: [String: JSONValue] = ["type": "string"]
            if let values { out["enum"] = .array(values.map { .string($0) }) }
            if let minLength { out["minLength"] = .int(Int64(minLength)) }
            if let maxLength { out["maxLength"] = .int(Int64(maxLength)) }
            if let pattern { out["pattern"] = .string(pattern) }
            return .object(out)
        case .integer(let minimum, let maximum):
            var out: [String: JSONValue] = ["type": "integer", "format": "int64"]
            if let minimum { out["minimum"] = .int(minimum) }
            if let maximum { out["maximum"] = .int(maximum) }
            return .object(out)
        case .boolean:
            return ["type": "boolean"]
        case .array(let items, let maxItems):
            var out: [String: JSONValue] = ["type": "array", "items": items.json]
            if let maxItems { out["maxItems"] = .int(Int64(maxItems)) }
            return .object(out)
        case .object(let properties, let required):
            var out: [String: JSONValue] = [
                "type": "object",
                "properties": .object(Dictionary(properties.map { ($0.name, $0.schema.json) }, uniquingKeysWith: { a, _ in a })),
            ]
            if !required.isEmpty { out["required"] = .array(required.map { .string($0) }) }
            return .object(out)
        case .anyOf(let forms):
            return ["anyOf": .array(forms.map(\.json))]
        }
    }
}
