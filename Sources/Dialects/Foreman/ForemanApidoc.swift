import GatewayCore

/// `/apidoc/v2.json` in Apipie's layout, built from the Foreman route file: every served image
/// route becomes an `apis` entry of its action, so apypie and hammer find exactly what is served.
extension ForemanDialect {
    /// Apipie's action names for the canonical operations.
    static let actions: [(operation: Operation, name: String, summary: String)] = [
        (.imageList, "index", "List images"),
        (.imageGet, "show", "Show an image"),
        (.imageCreate, "create", "Create an image"),
        (.imageUpdate, "update", "Update an image"),
        (.imageDelete, "destroy", "Delete an image"),
    ]

    public func document(_ name: String, routes: [Route]) -> JSONValue? {
        guard name == "apidoc" else { return nil }
        // Clients address the `/api` form; `/api/v2` serves the same.
        let served = routes.filter { $0.template.hasPrefix("/api/") && !$0.template.hasPrefix("/api/v2/") }
        let methods: [JSONValue] = Self.actions.compactMap { action in
            let apis = served.filter { $0.operation == action.operation }
            guard !apis.isEmpty else { return nil }
            return [
                "doc_url": .string("/apidoc/v2/images/\(action.name).html"), "name": .string(action.name),
                "apis": .array(apis.map { route in
                    ["api_url": .string(Self.apipiePath(route.template)), "http_method": .string(route.method.rawValue),
                     "short_description": .string(action.summary), "deprecated": nil]
                }),
                "formats": nil, "full_description": "", "errors": [], "examples": [], "metadata": nil, "see": [],
                "headers": [], "show": true, "deprecated": nil,
                "params": .array(Self.params(action.operation)),
            ]
        }
        return ["docs": [
            "name": "ims-gateway", "info": "Foreman API v2 images, served by ims-gateway", "copyright": "",
            "doc_url": "/apidoc/v2", "api_url": "/api", "link_extension": ".html",
            "resources": ["images": [
                "doc_url": "/apidoc/v2/images.html", "id": "images", "api_url": "/api", "name": "Images",
                "short_description": nil, "full_description": nil, "version": "v2", "formats": nil, "metadata": nil,
                "deprecated": false, "headers": [], "params": [], "methods": .array(methods),
            ]],
        ]]
    }

    /// `/api/compute_resources/{compute_resource_id}/images` → `/api/compute_resources/:compute_resource_id/images`
    static func apipiePath(_ template: String) -> String {
        template.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }

    /// Seed 002's parameters per action.
    static func params(_ operation: Operation) -> [JSONValue] {
        let parents = ["compute_resource_id", "operatingsystem_id", "architecture_id"].map {
            param($0, type: "string", required: false, validator: "Must be String")
        }
        let identifier = "Must be an identifier, string from 1 to 128 characters containing only alphanumeric characters, space, underscore(_), hypen(-) with no leading or trailing space."
        switch operation {
        case .imageList:
            return parents + ["search", "order", "page", "per_page"].map { param($0, type: "string", required: false, validator: "Must be String") }
        case .imageGet:
            return [param("id", type: "string", required: true, validator: identifier)] + parents
        case .imageCreate, .imageUpdate:
            let creating = operation == .imageCreate
            var fields = ["name", "username", "uuid"].map { param($0, type: "string", required: creating, validator: "Must be String", parent: "image") }
            fields += ["compute_resource_id", "architecture_id", "operatingsystem_id"].map {
                param($0, type: "string", required: false, validator: "Must be String", parent: "image", allowNil: true)
            }
            fields.append(param("user_data", type: "boolean", required: false, validator: "Must be 'true' or 'false'", parent: "image", allowNil: true))
            var out = [param("compute_resource_id", type: "string", required: true, validator: identifier)]
            if !creating { out.append(param("id", type: "string", required: true, validator: identifier)) }
            out.append(param("image", type: "hash", required: true, validator: "Must be a Hash", nested: fields))
            return out
        case .imageDelete:
            return [param("compute_resource_id", type: "string", required: true, validator: identifier),
                    param("id", type: "string", required: true, validator: identifier)]
        default:
            return []
        }
    }

    static func param(_ name: String, type: String, required: Bool, validator: String, parent: String? = nil,
                      allowNil: Bool = false, nested: [JSONValue] = []) -> JSONValue {
        [
            "name": .string(name), "full_name": .string(parent.map { "\($0)[\(name)]" } ?? name), "description": "",
            "required": .bool(required), "allow_nil": .bool(allowNil), "allow_blank": false, "validator": .string(validator),
            "expected_type": .string(type), "metadata": nil, "show": true, "validations": [], "params": .array(nested),
        ]
    }
}
