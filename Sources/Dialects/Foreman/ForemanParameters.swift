import GatewayHTTP
import IMSModel

/// What each Foreman operation accepts, for its OpenAPI document: the decoder's own parent
/// parameters, identifier rule, page defaults and image keys (`FieldMap`).
extension ForemanDialect {
    /// The identifier rule `identifier(_:_:)` checks: 1–128 letters, digits, space, `_`, `-`,
    /// no outer space.
    static let identifierSchema = InputSchema.string(minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9_-]([A-Za-z0-9 _-]*[A-Za-z0-9_-])?$")

    static let listParameters = [
        InputParameter("search", .string(), description: "scoped search, e.g. `name = centos` or `name ~ cent and username = root`"),
        InputParameter("order", .string(pattern: "^[a-z_]+( (ASC|DESC|asc|desc))?$"), description: "a search field and ASC or DESC"),
        InputParameter("page", .integer(), description: "from 1; lower values mean 1"),
        InputParameter("per_page", .anyOf([.integer(minimum: 1), .oneOf(["all"])]),
                       description: "default \(defaultPerPage); `all`, or \(unboundedPerPage) or more, means every match"),
    ]

    /// The image's fields, as JSON under `image` and as `image[name]=…` form fields.
    static func imageBody(required: [ImageField]) -> (json: InputSchema, form: InputSchema) {
        let fields = ImageInputs.properties(Self.slots, required: required)
        let keys = ImageInputs.keys(required, in: Self.slots)
        let inner = InputSchema.object(fields, required: keys)
        // An update may leave everything out: only a create needs the wrapper.
        return (.object([("image", inner)], required: keys.isEmpty ? [] : ["image"]),
                .object(fields.map { ("image[\($0.name)]", $0.schema) }, required: keys.map { "image[\($0)]" }))
    }

    /// A catalogue entry's fields (`catalogColumns`, `catalogExtras`) as JSON under its kind and
    /// as `<kind>[name]=…` form fields; a create needs a name (and an operating system its major).
    static func catalogBody(_ kind: CatalogEntry.Kind, creating: Bool) -> (json: InputSchema, form: InputSchema) {
        let names = catalogColumns(kind).keys.sorted() + catalogExtras(kind).sorted()
        let fields = names.map { (name: $0, schema: InputSchema.string(minLength: creating && $0 == "name" ? 1 : nil)) }
        let required = creating ? (kind == .operatingsystem ? ["name", "major"] : ["name"]) : []
        let key = kind.rawValue
        return (.object([(key, .object(fields, required: required))], required: creating ? [key] : []),
                .object(fields.map { ("\(key)[\($0.name)]", $0.schema) }, required: required.map { "\(key)[\($0)]" }))
    }

    public func input(for route: Route) -> OperationInput {
        let path = Self.parents.map { InputParameter($0.param, Self.identifierSchema, required: true) }
            + [InputParameter("id", Self.identifierSchema, required: true)]
        let kind = route.defaults["kind"].flatMap(CatalogEntry.Kind.init(rawValue:))
        switch route.operation {
        case .imageList:
            return OperationInput(path: path, query: Self.listParameters)
        case .catalogList:
            return OperationInput(path: path, query: Self.listParameters + [InputParameter("thin", .boolean, description: "only ids and names")])
        case .catalogCreate, .catalogUpdate:
            guard let kind else { return OperationInput(path: path) }
            let body = Self.catalogBody(kind, creating: route.operation == .catalogCreate)
            return OperationInput(path: path, body: body.json, form: body.form, bodyRequired: route.operation == .catalogCreate)
        case .imageCreate:
            let body = Self.imageBody(required: [.name, .username, .uuid])
            return OperationInput(path: path, body: body.json, form: body.form, bodyRequired: true)
        case .imageUpdate:
            let body = Self.imageBody(required: [])
            return OperationInput(path: path, body: body.json, form: body.form)
        default:
            return OperationInput(path: path)
        }
    }

    public var security: DialectSecurity {
        DialectSecurity(schemes: [("basic", .basic, "a Foreman user and password (Authorization: Basic)")],
                        requirements: [["basic"]])
    }
}
