import GatewayHTTP
import IMSModel

/// Foreman API v2 images, nested under compute resources, operating systems or architectures.
public struct ForemanDialect: Dialect {
    public let id = DialectID.foreman
    /// Foreman's Basic auth takes the passwords its users chose.
    public let secretsArePasswords = true
    public init() {}

    /// Path parameters naming a parent, and the image field each one pins (in the order
    /// Foreman's images controller declares them, which its apidoc keeps).
    static let parents: [(param: String, id: ImageField, name: ImageField)] = [
        ("compute_resource_id", .computeResourceId, .computeResourceName),
        ("architecture_id", .architectureId, .architectureName),
        ("operatingsystem_id", .operatingsystemId, .operatingsystemName),
    ]

    static let defaultPerPage = 20
    /// Clients ask for "everything" with huge per_page values (4294967296).
    static let unboundedPerPage = 100_000

    public func decode(_ request: DialectRequest) throws(CanonicalError) -> Decoded {
        var echo = request.echo
        let command = try command(request, echo: &echo)
        return Decoded(command, echo)
    }

    func command(_ request: DialectRequest, echo: inout Echo) throws(CanonicalError) -> Command {
        let parent = try parentCondition(request)
        switch request.operation {
        case .imageList:
            return .listImages(try listQuery(request, parent: parent, echo: &echo))
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
        case .catalogList, .catalogGet, .catalogCreate, .catalogUpdate, .catalogDelete:
            return try decodeCatalog(request, echo: &echo)
        default:
            throw .internal("foreman has no \(request.operation.rawValue)")
        }
    }

    public func encode(_ result: CommandResult, for echo: Echo) throws(CanonicalError) -> DialectResponse {
        switch (echo.operation, result) {
        case (.imageGet, .image(let view)), (.imageUpdate, .image(let view)), (.imageDelete, .image(let view)):
            return DialectResponse(body: .object(Self.slots.encode(view)))
        case (.imageCreate, .image(let view)):
            return DialectResponse(status: .created, body: .object(Self.slots.encode(view)))
        case (.imageList, .images(let page)):
            return DialectResponse(body: index(page, echo))
        case (.catalogGet, .catalogEntry(let entry)), (.catalogUpdate, .catalogEntry(let entry)), (.catalogDelete, .catalogEntry(let entry)):
            return DialectResponse(body: Self.catalogJSON(entry))
        case (.catalogCreate, .catalogEntry(let entry)):
            return DialectResponse(status: .created, body: Self.catalogJSON(entry))
        case (.catalogList, .catalogEntries(let page)):
            return DialectResponse(body: catalogIndex(page, echo))
        default:
            throw echo.unexpected(result, in: id)
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
        return try Self.slots.decode(fields)
    }

    func listQuery(_ request: DialectRequest, parent: [ImageCondition], echo: inout Echo) throws(CanonicalError) -> ImageQuery {
        let window = try listWindow(request, echo: &echo)
        var sort: [SortKey] = []
        if let order = window.order { sort = [try Self.sortKey(order)] }
        var query = ImageQuery(scope: .visible, base: parent, sort: sort, offset: window.offset, limit: window.limit, countsScope: true)
        if let search = window.search {
            // A plain AND of conditions keeps the store's fast paths; OR and NOT need the tree.
            let tree = try ForemanSearch.imageMatch(search)
            if let conditions = tree.conjunction { query.filters = conditions } else { query.match = tree }
        }
        return query
    }

    static func sortKey(_ order: String) throws(CanonicalError) -> SortKey {
        let parts = order.split(separator: " ")
        guard let name = parts.first, let field = ForemanSearch.imageFields[name.lowercased()] ?? (name == "created_at" ? .createdAt : nil),
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

    func index(_ page: ImagePage, _ echo: Echo) -> JSONValue {
        var envelope = indexEnvelope(total: page.scopeTotal ?? page.total, subtotal: page.total, echo)
        envelope["results"] = .array(page.items.map { .object(Self.slots.encode($0)) })
        return .object(envelope)
    }
}
