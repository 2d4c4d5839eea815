import GatewayHTTP
import IMSModel

/// `/apidoc/v2.json` in Apipie's layout, built from the Foreman route file: every served route
/// becomes an `apis` entry of its resource's action, so apypie, hammer and Ansible's collection
/// find exactly what is served. `hosts` is the one resource described and not served: Ansible's
/// collection reads its `update` action while connecting.
extension ForemanDialect {
    /// Apipie's resource and action for each served operation.
    static func action(_ route: Route) -> (resource: String, name: String, summary: String)? {
        let kind = route.defaults["kind"].flatMap(CatalogEntry.Kind.init(rawValue:))
        let plural = kind.map { $0.rawValue + "s" } ?? "images"
        let noun = kind.map { $0.rawValue.replacingOccurrences(of: "_", with: " ") } ?? "image"
        switch route.operation {
        case .imageList, .catalogList: return (plural, "index", "List \(plural.replacingOccurrences(of: "_", with: " "))")
        case .imageGet, .catalogGet: return (plural, "show", "Show a \(noun)")
        case .imageCreate, .catalogCreate: return (plural, "create", "Create a \(noun)")
        case .imageUpdate, .catalogUpdate: return (plural, "update", "Update a \(noun)")
        case .imageDelete, .catalogDelete: return (plural, "destroy", "Delete a \(noun)")
        case .document where route.defaults["name"] == "status": return ("home", "status", "Show status")
        default: return nil
        }
    }

    public func document(_ name: String, routes: [Route]) -> JSONValue? {
        switch name {
        case "apidoc": return apidoc(routes)
        case "status": return ["result": "ok", "status": 200, "version": .string(Self.foremanVersion), "api_version": 2]
        default: return nil
        }
    }

    /// The Foreman release whose API this gateway answers as.
    static let foremanVersion = "3.12.0"

    func apidoc(_ routes: [Route]) -> JSONValue {
        // Clients address the `/api` form; `/api/v2` serves the same.
        let served = routes.filter { $0.template.hasPrefix("/api/") && !$0.template.hasPrefix("/api/v2/") }
        var methods: [String: [(name: String, apis: [JSONValue], summary: String, params: [JSONValue])]] = [:]
        for route in served {
            guard let action = Self.action(route) else { continue }
            let api: JSONValue = ["api_url": .string(Self.apipiePath(route.template)), "http_method": .string(route.method.rawValue),
                                  "short_description": .string(action.summary), "deprecated": nil]
            if let i = methods[action.resource]?.firstIndex(where: { $0.name == action.name }) {
                methods[action.resource]![i].apis.append(api)
            } else {
                methods[action.resource, default: []].append((action.name, [api], action.summary, Self.params(route)))
            }
        }
        methods["hosts"] = [("update", [["api_url": "/api/hosts/:id", "http_method": "PUT", "short_description": "Update a host",
                                         "deprecated": nil]], "Update a host", Self.hostParams)]
        var resources: [String: JSONValue] = [:]
        for (resource, actions) in methods {
            resources[resource] = [
                "doc_url": .string("/apidoc/v2/\(resource).html"), "id": .string(resource), "api_url": "/api",
                "name": .string(resource.split(separator: "_").map { $0.capitalized }.joined(separator: " ")),
                "short_description": nil, "full_description": nil, "version": "v2", "formats": nil, "metadata": nil,
                "deprecated": false, "headers": [], "params": [],
                "methods": .array(actions.sorted { $0.name < $1.name }.map { action in
                    [
                        "doc_url": .string("/apidoc/v2/\(resource)/\(action.name).html"), "name": .string(action.name),
                        "apis": .array(action.apis), "formats": nil, "full_description": "", "errors": [], "examples": [],
                        "metadata": nil, "see": [], "headers": [], "show": true, "deprecated": nil, "params": .array(action.params),
                    ]
                }),
            ]
        }
        return ["docs": [
            "name": "ims-gateway", "info": "Foreman API v2, served by ims-gateway", "copyright": "",
            "doc_url": "/apidoc/v2", "api_url": "/api", "link_extension": ".html", "resources": .object(resources),
        ]]
    }

    /// `/api/compute_resources/{compute_resource_id}/images` → `/api/compute_resources/:compute_resource_id/images`
    static func apipiePath(_ template: String) -> String {
        template.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }

    static let identifierRule = "Must be an identifier, string from 1 to 128 characters containing only alphanumeric characters, space, underscore(_), hypen(-) with no leading or trailing space."

    /// Foreman's `search_and_pagination` group (Api::V2::BaseController): `page` a number,
    /// `per_page` a pattern that allows `all`, so apypie lets `per_page='all'` through.
    static let searchAndPagination = [
        param("search", type: "string", validator: "Must be a String"),
        param("order", type: "string", validator: "Must be a String"),
        param("page", type: "numeric", validator: "Must be a number."),
        param("per_page", type: "string", validator: #"Must match regular expression <code>/\A([1-9]\d*|all)\Z$/</code>."#),
    ]

    /// Parameters as Foreman's controllers declare them (Api::V2::ImagesController for images):
    /// the parents of an image's index and show are Strings and optional (apypie picks the route
    /// by the one given), a path's own ids are identifiers; the catalogue's indexes also take `thin`.
    static func params(_ route: Route) -> [JSONValue] {
        let pathParams = route.template.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
        var inPath = pathParams.map { param($0, type: "string", required: true, validator: identifierRule) }
        if route.operation == .imageList || route.operation == .imageGet {
            inPath = (route.operation == .imageGet ? [inPath.last!] : []) + parents.map {
                param($0.param, type: "string", validator: "Must be a String")
            }
        }
        switch route.operation {
        case .imageList: return inPath + searchAndPagination
        case .catalogList:
            return inPath + searchAndPagination + [param("thin", type: "boolean", validator: "Must be one of: true, false, 1, 0.")]
        case .imageCreate, .imageUpdate:
            // `action_aware`: the hash and its required keys are required on create only.
            let creating = route.operation == .imageCreate
            return inPath + [param("image", type: "hash", required: creating, validator: "Must be a Hash", nested: imageFields(creating: creating))]
        case .catalogCreate, .catalogUpdate:
            guard let kind = route.defaults["kind"].flatMap(CatalogEntry.Kind.init(rawValue:)) else { return inPath }
            let creating = route.operation == .catalogCreate
            let names = (catalogColumns(kind).keys.sorted() + catalogExtras(kind).sorted())
            let nested = names.map { name in
                let required = creating && (name == "name" || (kind == .operatingsystem && name == "major"))
                return name == "set_console_password"
                    ? param(name, type: "boolean", validator: "Must be one of: true, false, 1, 0.", parent: kind.rawValue, allowNil: true)
                    : param(name, type: "string", required: required, validator: "Must be a String", parent: kind.rawValue, allowNil: !required)
            }
            return inPath + [param(kind.rawValue, type: "hash", required: true, validator: "Must be a Hash", nested: nested)]
        default: return inPath
        }
    }

    /// The `image` hash: every key a String (ids too: Foreman declares them so), `user_data` a
    /// boolean that may be null.
    static func imageFields(creating: Bool) -> [JSONValue] {
        var fields = ["name", "username", "uuid"].map {
            param($0, type: "string", required: creating, validator: "Must be a String", parent: "image")
        }
        fields += ["password", "compute_resource_id", "architecture_id", "operatingsystem_id"].map {
            param($0, type: "string", validator: "Must be a String", parent: "image")
        }
        fields.append(param("user_data", type: "boolean", validator: "Must be one of: true, false, 1, 0.", parent: "image", allowNil: true))
        return fields
    }

    static let hostParams: [JSONValue] = [
        param("id", type: "string", required: true, validator: identifierRule),
        param("host", type: "hash", required: true, validator: "Must be a Hash", nested: [
            param("name", type: "string", validator: "Must be a String", parent: "host"),
            param("location_id", type: "numeric", validator: "Must be a number.", parent: "host", allowNil: true),
            param("organization_id", type: "numeric", validator: "Must be a number.", parent: "host", allowNil: true),
        ]),
    ]

    static func param(_ name: String, type: String, required: Bool = false, validator: String, parent: String? = nil,
                      allowNil: Bool = false, nested: [JSONValue] = []) -> JSONValue {
        [
            "name": .string(name), "full_name": .string(parent.map { "\($0)[\(name)]" } ?? name), "description": "",
            "required": .bool(required), "allow_nil": .bool(allowNil), "allow_blank": false, "validator": .string(validator),
            "expected_type": .string(type), "metadata": nil, "show": true, "validations": [], "params": .array(nested),
        ]
    }
}
