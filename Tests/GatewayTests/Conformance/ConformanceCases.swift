@testable import IMSModel

/// A conformance case for every row of SPEC.md's endpoint tables.
extension ConformanceCase {
    static let all: [ConformanceCase] = htaiyun + idc51 + foreman + foremanClients + cecstack

    static let appFacts = ["status", "message", "result.status", "result.name", "result.displayName", "result.description",
                           "result.picture"]
    static let instanceFacts = ["status", "message", "result.name", "result.displayName", "result.applicationDomain.name",
                                "result.owner.username", "result.owner.mobile"]

    static let htaiyun: [ConformanceCase] = [
        ConformanceCase("htaiyun", "POST /v1/openstack/image/application/create", seed: "create-image-application") { c in
            try await c.check("htaiyun", "create-image-application", equal: appFacts).problems
        },
        ConformanceCase("htaiyun", "GET /v1/openstack/image/application/{id}/get", seed: "get-image-application") { c in
            let id = try await c.application()
            return try await c.check("htaiyun", "get-image-application", at: "/v1/openstack/image/application/\(id)/get", equal: appFacts).problems
        },
        ConformanceCase("htaiyun", "POST /v1/openstack/image/application/{id}/delete", seed: "delete-image-application") { c in
            let id = try await c.application()
            let (reply, problems) = try await c.check("htaiyun", "delete-image-application",
                                                      at: "/v1/openstack/image/application/\(id)/delete", equal: ["status", "message"])
            return also(problems, reply["result"] == nil, "answer has a result")
        },
        ConformanceCase("htaiyun", "GET /v1/openstack/image/application/list", seed: "list-image-applications") { c in
            _ = try await c.application()
            var seed = try c.seed("htaiyun", "list-image-applications")
            // The seed's entity carries a Mongo id string as `unique`; get/create carry numbers, as we do.
            seed.answer = replacing(seed.answer, at: ["result", "entities", "0", "unique"], with: 4)
            let reply = try await seed.send(c.client)
            return also(conformanceProblems(reply, to: seed, equal: ["status", "message", "result.hasPrevious", "result.hasNext"]),
                        reply.json.flatMap { lookup($0, "result.total") } == 1, "total is not 1")
        },
        ConformanceCase("htaiyun", "POST /v1/openstack/image/application/{id}/update", seed: "update-image-application") { c in
            let id = try await c.application()
            return try await c.check("htaiyun", "update-image-application", at: "/v1/openstack/image/application/\(id)/update",
                                     equal: appFacts).problems
        },
        ConformanceCase("htaiyun", "POST /v1/applicationinstance/create", seed: "create-application-instance") { c in
            try await c.applicationsForInstance()
            let created = try await c.check("htaiyun", "create-application-instance", equal: instanceFacts).problems
            // Creating it again is the seed's documented 406.
            return created + (try await c.check("htaiyun", "error-name-used", equal: ["status", "message"]).problems)
        },
        ConformanceCase("htaiyun", "POST /v1/applicationinstance/{id}/update", seed: "update-application-instance") { c in
            let id = try await c.instance()
            return try await c.check("htaiyun", "update-application-instance", at: "/v1/applicationinstance/\(id)/update",
                                     equal: ["status", "message"]).problems
        },
        ConformanceCase("htaiyun", "POST /v1/applicationinstance/{id}/delete", seed: "delete-application-instance") { c in
            let id = try await c.instance()
            return try await c.check("htaiyun", "delete-application-instance", at: "/v1/applicationinstance/\(id)/delete",
                                     equal: ["status", "message"]).problems
        },
        ConformanceCase("htaiyun", "POST /v1/applicationinstance/delete", seed: "batch-delete-application-instances") { c in
            let id = try await c.instance()
            return try await c.check("htaiyun", "batch-delete-application-instances", body: .form([("ids", String(id))]),
                                     equal: ["status", "message"]).problems
        },
        ConformanceCase("htaiyun", "POST /applicationinstance/{id}/user/add", seed: "add-instance-user") { c in
            let id = try await c.instance()
            return try await c.check("htaiyun", "add-instance-user", at: "/applicationinstance/\(id)/user/add",
                                     equal: ["status", "message"]).problems
        },
        ConformanceCase("htaiyun", "POST /applicationinstance/{id}/user/delete", seed: "delete-instance-user") { c in
            let id = try await c.instanceWithMembers()
            return try await c.check("htaiyun", "delete-instance-user", at: "/applicationinstance/\(id)/user/delete",
                                     equal: ["status", "message"]).problems
        },
        ConformanceCase("htaiyun", "POST /applicationinstance/{id}/user/batchadd", seed: "batch-add-instance-users") { c in
            let id = try await c.instance()
            return try await c.check("htaiyun", "batch-add-instance-users", at: "/applicationinstance/\(id)/user/batchadd",
                                     equal: ["status", "message"]).problems
        },
        ConformanceCase("htaiyun", "POST /applicationinstance/{id}/user/batchdelete", seed: "batch-delete-instance-users") { c in
            let id = try await c.instanceWithMembers()
            return try await c.check("htaiyun", "batch-delete-instance-users", at: "/applicationinstance/\(id)/user/batchdelete",
                                     equal: ["status", "message"]).problems
        },
        ConformanceCase("htaiyun", "GET /v1/applicationinstance/{id}/user/list", seed: "list-instance-users") { c in
            let id = try await c.instanceWithMembers()
            let (reply, problems) = try await c.check("htaiyun", "list-instance-users", at: "/v1/applicationinstance/\(id)/user/list",
                                                      equal: ["status", "message", "result.hasPrevious", "result.hasNext"])
            return also(problems, reply.json.flatMap { lookup($0, "result.total") } == 2, "total is not 2")
        },
        ConformanceCase("htaiyun", "GET /v1/applicationinstance/{id}/get", seed: "get-application-instance") { c in
            let id = try await c.instance()
            return try await c.check("htaiyun", "get-application-instance", at: "/v1/applicationinstance/\(id)/get",
                                     equal: instanceFacts).problems
        },
        ConformanceCase("htaiyun", "GET /v1/applicationinstance/list", seed: "list-application-instances") { c in
            _ = try await c.instance()
            return try await c.check("htaiyun", "list-application-instances",
                                     equal: ["status", "message", "result.entities.0.name", "result.entities.0.owner.username"]).problems
        },
    ]
}

/// `value` with the element at `path` replaced.
func replacing(_ value: JSONValue, at path: [String], with new: JSONValue) -> JSONValue {
    guard let head = path.first else { return new }
    let rest = Array(path.dropFirst())
    switch value {
    case .object(var o):
        o[head] = replacing(o[head] ?? .null, at: rest, with: new)
        return .object(o)
    case .array(var a):
        guard let i = Int(head), i < a.count else { return value }
        a[i] = replacing(a[i], at: rest, with: new)
        return .array(a)
    default:
        return value
    }
}
