import GatewayCore

/// Foreman API v2 images, nested under compute resources, operating systems or architectures.
public struct ForemanDialect: Dialect {
    public let id = DialectID.foreman
    public init() {}

    /// Path parameters naming a parent, and the image field each one pins.
    static let parents: [(param: String, id: ImageField, name: ImageField)] = [
        ("compute_resource_id", .computeResourceId, .computeResourceName),
        ("operatingsystem_id", .operatingsystemId, .operatingsystemName),
        ("architecture_id", .architectureId, .architectureName),
    ]

    static let defaultPerPage = 20
    /// Clients ask for "everything" with huge per_page values (4294967296).
    static let unboundedPerPage = 100_000

    public func decode(_ request: DialectRequest) throws(CanonicalError) -> Command {
        let parent = try parentCondition(request)
        switch request.operation {
        case .imageList:
            return .listImages(try listQuery(request, parent: parent))
        case .imageGet:
            return .getImage(ImageSelector(ref: try identifier(request, "id"), within: parent))
        case .imageDelete:
            return .deleteImage(ImageSelector(ref: try identifier(request, "id"), within: parent))
        case .imageCreate:
            var patch = try imagePatch(request)
            var missing: [String] = []
            for field in [ImageField.name, .username, .uuid] where (patch[field]?.stringValue ?? "").isEmpty {
                missing.append(field.rawValue)
            }
            if !missing.isEmpty { throw ForemanErrors.blank(missing) }
            // The parent in the path is where the image is made.
            for c in parent where c.op == .eq { patch[c.field] = c.values[0] }
            return .createImage(patch)
        case .imageUpdate:
            let ref = try identifier(request, "id")
            return .updateImage(ImageSelector(ref: ref, within: parent), try imagePatch(request))
        default:
            throw .internal("foreman has no \(request.operation.rawValue)")
        }
    }

    public func encode(_ result: CommandResult, for request: DialectRequest) -> DialectResponse {
        switch result {
        case .image(let view):
            return DialectResponse(status: request.operation == .imageCreate ? .created : .ok,
                                   body: .object(FieldMap.encode(view, for: .foreman)))
        case .images(let page):
            return DialectResponse(body: index(page, request))
        default:
            return DialectResponse(body: nil)
        }
    }

    public func encode(_ error: CanonicalError, for request: DialectRequest) -> DialectResponse {
        ForemanErrors.response(error)
    }

    // MARK: - Decoding

    /// Foreman's identifier rule: 1–128 letters, digits, space, `_`, `-`, no outer space.
    func identifier(_ request: DialectRequest, _ name: String) throws(CanonicalError) -> String {
        let value = request.parameter(name) ?? ""
        let allowed = value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "_" || $0 == "-") }
        guard (1...128).contains(value.count), allowed, value.first != " ", value.last != " " else {
            throw .invalidParameter(field: name, message: "must be an identifier, string from 1 to 128 characters containing only alphanumeric characters, space, underscore(_), hypen(-) with no leading or trailing space.")
        }
        return value
    }

    func parentCondition(_ request: DialectRequest) throws(CanonicalError) -> [ImageCondition] {
        for parent in Self.parents where request.parameter(parent.param) != nil {
            let value = try identifier(request, parent.param)
            if let n = Int64(value) { return [.eq(parent.id, .int(n))] }
            return [.eq(parent.name, .string(value))]
        }
        return []
    }

    /// `image[...]` as JSON (wrapped or not) or as `image[name]=…` form fields → a canonical patch.
    func imagePatch(_ request: DialectRequest) throws(CanonicalError) -> ImagePatch {
        let body = try request.bodyObject()
        var fields: [String: JSONValue] = [:]
        if case .object(let wrapped)? = body["image"] {
            fields = wrapped
        } else if body["image"] != nil {
            throw .invalidParameter(field: "image", message: "must be a Hash")
        } else {
            for (key, value) in body {
                if key.hasPrefix("image["), key.hasSuffix("]") {
                    fields[String(key.dropFirst(6).dropLast())] = value
                } else {
                    fields[key] = value
                }
            }
        }
        return try FieldMap.decode(fields, from: .foreman)
    }

    func listQuery(_ request: DialectRequest, parent: [ImageCondition]) throws(CanonicalError) -> ImageQuery {
        let params = try Parameters.merged(request)
        let search = try Parameters.string(params["search"], name: "search").flatMap { $0.isEmpty ? nil : $0 }
        let page = max(1, try Parameters.int(params["page"], name: "page") ?? 1)
        let perPage = try Parameters.int(params["per_page"], name: "per_page") ?? Self.defaultPerPage
        guard perPage >= 1 else { throw .invalidParameter(field: "per_page", message: "must be greater than 0") }
        var sort: [SortKey] = []
        if let order = try Parameters.string(params["order"], name: "order"), !order.isEmpty {
            sort = [try Self.sortKey(order)]
        }
        let limit = perPage >= Self.unboundedPerPage ? nil : perPage
        return ImageQuery(scope: .visible, base: parent, filters: try search.map(ForemanSearch.parse) ?? [],
                          sort: sort, offset: limit.map { Parameters.offset(page: page, size: $0) } ?? 0, limit: limit, countsScope: true)
    }

    static func sortKey(_ order: String) throws(CanonicalError) -> SortKey {
        let parts = order.split(separator: " ")
        guard let name = parts.first, let field = ForemanSearch.fields[name.lowercased()] ?? (name == "created_at" ? .createdAt : nil),
              parts.count <= 2 else {
            throw .invalidParameter(field: "search", message: "the field '\(order)' in the order statement is not valid field for search")
        }
        let direction = parts.count == 2 ? parts[1].uppercased() : "ASC"
        guard direction == "ASC" || direction == "DESC" else {
            throw .invalidParameter(field: "search", message: "order direction must be ASC or DESC")
        }
        return SortKey(field, descending: direction == "DESC")
    }

    // MARK: - Encoding

    func index(_ page: ImagePage, _ request: DialectRequest) -> JSONValue {
        let params = (try? Parameters.merged(request)) ?? [:]
        let perPage = (try? Parameters.int(params["per_page"], name: "per_page")) ?? Self.defaultPerPage
        let pageNumber = max(1, (try? Parameters.int(params["page"], name: "page")) ?? 1)
        let search = params["search"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var sort: JSONValue = ["by": nil, "order": nil]
        if let order = params["order"]?.stringValue, !order.isEmpty {
            let parts = order.split(separator: " ")
            sort = ["by": .string(String(parts[0])), "order": parts.count > 1 ? .string(parts[1].uppercased()) : "ASC"]
        }
        return [
            "total": .int(Int64(page.scopeTotal ?? page.total)),
            "subtotal": .int(Int64(page.total)),
            "page": .int(Int64(pageNumber)),
            "per_page": .int(Int64(perPage)),
            "search": JSONValue(search),
            "sort": sort,
            "results": .array(page.items.map { .object(FieldMap.encode($0, for: .foreman)) }),
        ]
    }
}
