import GatewayHTTP
import IMSModel

/// htaiyun image applications (`/v1/openstack/image/application/...`).
public struct HtaiyunDialect: Dialect {
    public let id = DialectID.htaiyun
    public init() {}

    static let maxPageSize = 1000

    public func decode(_ request: DialectRequest) throws(CanonicalError) -> Decoded {
        var echo = request.echo
        let command = try command(request, echo: &echo)
        return Decoded(command, echo)
    }

    func command(_ request: DialectRequest, echo: inout Echo) throws(CanonicalError) -> Command {
        switch request.operation {
        case .applicationCreate:
            let body = try request.bodyObject()
            func required(_ key: String) throws(CanonicalError) -> String {
                guard let v = try Parameters.string(body[key], name: key), !v.isEmpty else {
                    throw .invalidParameter(field: key, message: "is required")
                }
                return v
            }
            return .createApplication(ApplicationDraft(
                name: try required("name"), displayName: try required("displayname"),
                description: try required("description"), picture: try required("picture"),
                applications: try Self.list(body["applications"])))
        case .applicationGet:
            return .getApplication(try applicationId(request))
        case .applicationDelete:
            return .deleteApplication(try applicationId(request))
        case .applicationUpdate:
            let body = try request.bodyObject()
            let patch = ApplicationPatch(
                name: try Parameters.string(body["name"], name: "name"),
                displayName: try Parameters.string(body["displayname"], name: "displayname"),
                description: try Parameters.string(body["description"], name: "description"),
                picture: try Parameters.string(body["picture"], name: "picture"),
                applications: body["applications"] == nil ? nil : try Self.list(body["applications"]))
            return .updateApplication(try applicationId(request), patch)
        case .applicationList:
            return .listApplications(try listQuery(request, echo: &echo))
        default:
            return try decodeInstances(request, echo: &echo)
        }
    }

    public func encode(_ result: CommandResult, for echo: Echo) throws(CanonicalError) -> DialectResponse {
        switch (echo.operation, result) {
        case (.applicationDelete, .application), (.instanceUpdate, .instance), (.instanceDelete, .instances),
             (.instanceBatchDelete, .instances), (.instanceAddMember, .users), (.instanceRemoveMember, .users),
             (.instanceAddMembers, .users), (.instanceRemoveMembers, .users):
            return HtaiyunEnvelope.ok(nil)
        case (.instanceCreate, .instance(let view)), (.instanceGet, .instance(let view)):
            return HtaiyunEnvelope.ok(Self.instance(view))
        case (.instanceList, .instances(let page)):
            return Self.page(total: page.total, page.items.map(Self.instance), echo)
        case (.instanceListMembers, .users(let page)):
            return Self.page(total: page.total, page.items.map(Self.member), echo)
        case (.applicationCreate, .application(let app)), (.applicationGet, .application(let app)),
             (.applicationUpdate, .application(let app)):
            return HtaiyunEnvelope.ok(Self.application(app))
        case (.applicationList, .applications(let page)):
            return Self.page(total: page.total, page.items.map(Self.application), echo)
        default:
            throw echo.unexpected(result, in: id)
        }
    }

    /// A page of entities, at the page the client asked for.
    static func page(total: Int, _ entities: [JSONValue], _ echo: Echo) -> DialectResponse {
        let size = echo.pageSize ?? 20
        return HtaiyunEnvelope.page(total: total, offset: Parameters.offset(page: echo.page, size: size), limit: size,
                                    entities: entities)
    }

    public func encode(_ error: CanonicalError, for request: DialectRequest) -> DialectResponse {
        HtaiyunEnvelope.error(error)
    }

    // MARK: -

    /// An application with the keys of both the seed's get/create answer and its list entities.
    static func application(_ app: ImageApplication) -> JSONValue {
        let ms = ValueCodec.TimeStyle.epochMillis
        return [
            "unique": JSONValue(app.id), "status": .string(app.status.rawValue),
            "created": ms.render(app.createdAt), "updated": ms.render(app.updatedAt),
            "name": .string(app.name), "displayName": .string(app.displayName), "imageName": .string(app.displayName),
            "description": .string(app.description), "picture": .string(app.picture),
            "applications": .array(app.applications.map { .string($0) }), "links": [],
        ]
    }

    static func list(_ value: JSONValue?) throws(CanonicalError) -> [String] {
        switch value {
        case nil, .null?: return []
        case .string(let s)?: return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        case .array(let items)?: return items.compactMap(\.stringValue)
        default: throw .invalidParameter(field: "applications", message: "must be a list")
        }
    }

    func applicationId(_ request: DialectRequest) throws(CanonicalError) -> Int64 {
        let raw = request.parameter("id") ?? ""
        guard let id = Int64(raw) else { throw .notFound(kind: "application", id: raw) }
        return id
    }

    /// Applications list ACTIVED ones unless asked otherwise.
    func listQuery(_ request: DialectRequest, echo: inout Echo) throws(CanonicalError) -> ListWindow {
        try listWindow(request, statuses: ApplicationStatus.allCases.map(\.rawValue), defaultStatus: "ACTIVED", echo: &echo)
    }

    /// htaiyun's list parameters: keywords, status (or ALL_STATUS), page from 1, offset = page
    /// size, order (name, created, updated) and asc — which the seed also spells `acs`.
    /// The answer's page echoes `page` and the size (`offset`).
    func listWindow(_ request: DialectRequest, statuses: [String], defaultStatus: String = "ALL_STATUS",
                    echo: inout Echo) throws(CanonicalError) -> ListWindow {
        let params = try Parameters.merged(request)
        let page = try Parameters.bounded(params["page"], name: "page", default: 1, range: 1...Int(Int32.max))
        let size = try Parameters.bounded(params["offset"], name: "offset", default: 20, range: 1...Self.maxPageSize)
        (echo.page, echo.pageSize) = (page, size)
        var status: String?
        let given = try Parameters.string(params["status"], name: "status").flatMap { $0.isEmpty ? nil : $0 } ?? defaultStatus
        if given != "ALL_STATUS" {
            guard statuses.contains(given) else {
                throw .invalidParameter(field: "status", message: "must be \((statuses + ["ALL_STATUS"]).joined(separator: ", "))")
            }
            status = given
        }
        var order: ListWindow.Order?
        if let o = try Parameters.string(params["order"], name: "order"), !o.isEmpty {
            guard let known = ListWindow.Order(rawValue: o) else {
                throw .invalidParameter(field: "order", message: "must be name, created or updated")
            }
            order = known
        }
        let ascending = try Parameters.bool(params["asc"] ?? params["acs"], name: "asc") ?? false
        return ListWindow(keywords: try Parameters.string(params["keywords"], name: "keywords"), status: status, order: order,
                          ascending: ascending, offset: Parameters.offset(page: page, size: size), limit: size)
    }
}
