import GatewayHTTP
import IMSModel

/// htaiyun application instances and their members (seed 004).
extension HtaiyunDialect {
    static let instanceStatuses = ApplicationStatus.allCases.map(\.rawValue)
    static let memberStatuses = ["ACTIVED", "DISABLED"]

    func decodeInstances(_ request: DialectRequest, echo: inout Echo) throws(CanonicalError) -> Command {
        switch request.operation {
        case .instanceCreate:
            let body = try request.bodyObject()
            let name = try required(body, "name")
            guard let flavor = FlavorConfig(rawValue: try required(body, "flavorconfig").uppercased()) else {
                throw .invalidParameter(field: "flavorconfig", message: "must be LOWEST, RECOMMENDED or HIGHEST")
            }
            return .createInstance(InstanceDraft(
                name: name, displayName: try required(body, "displayname"),
                description: try Parameters.string(body["description"], name: "description"),
                userId: try requiredId(body, "userid"), applicationId: try requiredId(body, "applicationid"),
                flavorConfig: flavor))
        case .instanceUpdate:
            let body = try request.bodyObject()
            return .updateInstance(try instanceId(request), InstancePatch(
                name: try Parameters.string(body["name"], name: "name"),
                displayName: try Parameters.string(body["displayname"], name: "displayname"),
                description: try Parameters.string(body["description"], name: "description")))
        case .instanceDelete:
            return .deleteInstances([try instanceId(request)])
        case .instanceBatchDelete:
            return .deleteInstances(try idList(try request.bodyObject()["ids"], name: "ids"))
        case .instanceAddMember:
            return .addMembers(instance: try instanceId(request), users: [try requiredId(try request.bodyObject(), "userid")])
        case .instanceRemoveMember:
            return .removeMembers(instance: try instanceId(request), users: [try requiredId(try request.bodyObject(), "userid")])
        case .instanceAddMembers:
            return .addMembers(instance: try instanceId(request), users: try idList(try request.bodyObject()["userids"], name: "userids"))
        case .instanceRemoveMembers:
            return .removeMembers(instance: try instanceId(request), users: try idList(try request.bodyObject()["userids"], name: "userids"))
        case .instanceListMembers:
            return .listMembers(instance: try instanceId(request), try listWindow(request, statuses: Self.memberStatuses, echo: &echo))
        case .instanceGet:
            return .getInstance(try instanceId(request))
        case .instanceList:
            let params = try Parameters.merged(request)
            return .listInstances(InstanceQuery(
                userId: try Parameters.int(params["userid"], name: "userid").map(Int64.init),
                applicationId: try Parameters.int(params["applicationid"], name: "applicationid").map(Int64.init),
                window: try listWindow(request, statuses: Self.instanceStatuses, echo: &echo)))
        default:
            throw .internal("htaiyun has no \(request.operation.rawValue)")
        }
    }

    func required(_ body: [String: JSONValue], _ key: String) throws(CanonicalError) -> String {
        guard let v = try Parameters.string(body[key], name: key), !v.isEmpty else {
            throw .invalidParameter(field: key, message: "is required")
        }
        return v
    }

    func requiredId(_ body: [String: JSONValue], _ key: String) throws(CanonicalError) -> Int64 {
        guard let n = try Parameters.int(body[key], name: key) else { throw .invalidParameter(field: key, message: "is required") }
        return Int64(n)
    }

    /// `"3,4"` or `[3,4]`.
    func idList(_ value: JSONValue?, name: String) throws(CanonicalError) -> [Int64] {
        var parts: [JSONValue] = []
        switch value {
        case .string(let s)?: parts = s.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }
        case .array(let items)?: parts = items
        case .int?: parts = [value!]
        default: break
        }
        var ids: [Int64] = []
        for part in parts {
            guard let n = try Parameters.int(part, name: name) else { continue }
            ids.append(Int64(n))
        }
        guard !ids.isEmpty else { throw .invalidParameter(field: name, message: "is required") }
        return ids
    }

    func instanceId(_ request: DialectRequest) throws(CanonicalError) -> Int64 {
        let raw = request.parameter("id") ?? ""
        guard let id = Int64(raw) else { throw .notFound(kind: "instance", id: raw) }
        return id
    }

    static func instance(_ view: InstanceView) -> JSONValue {
        let ms = ValueCodec.TimeStyle.epochMillis
        let i = view.instance
        var domain = application(view.application)
        if case .object(var fields) = domain {
            fields["fileId"] = ""
            domain = .object(fields)
        }
        return [
            "unique": JSONValue(i.id), "status": .string(i.status.rawValue),
            "created": ms.render(i.createdAt), "updated": ms.render(i.updatedAt),
            "name": .string(i.name), "displayName": .string(i.displayName), "description": JSONValue(i.description),
            "applicationDomain": domain,
            "flavorConfig": .string(i.flavorConfig.rawValue),
            "userStack": [
                "unique": .string(i.stackRef), "name": .string(i.stackName), "stackId": .string(i.stackId),
                "userServer": [
                    "unique": .string(i.serverRef), "name": .string(i.serverName), "serverId": .string(i.serverId),
                    "flavor": ["unique": .string(i.flavorRef), "flavorId": .string(i.flavorId)],
                ],
            ],
            "owner": owner(view.owner),
            "links": [],
        ]
    }

    static func owner(_ user: User) -> JSONValue {
        let ms = ValueCodec.TimeStyle.epochMillis
        return [
            "unique": .int(user.id), "status": .string(user.status), "created": ms.render(user.createdAt),
            "updated": ms.render(user.updatedAt), "username": .string(user.username), "type": .string(user.type),
            "name": JSONValue(user.name), "mobile": .string(user.mobile), "email": .string(user.email),
            "avatarUrl": .string(user.avatarUrl), "links": [],
        ]
    }

    /// A member as the user list shows it.
    static func member(_ user: User) -> JSONValue {
        guard case .object(var fields) = owner(user) else { return .null }
        fields["optionalflavorids"] = .string(user.optionalFlavorIds)
        return .object(fields)
    }
}
