import HTTPTypes
@testable import IMSModel
import Testing

/// Bad input gets the dialect's own error and changes nothing; the server keeps serving.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var dialect: String
        var what: String
        var method: HTTPRequest.Method
        var path: String
        var query: [(String, String)] = []
        var headers: [String: String] = [:]
        var body: GatewayClient.Body = .none
        var status: Int
        /// Values expected at paths of the answer.
        var expect: [String: JSONValue]
        var testDescription: String { "\(dialect): \(what)" }
    }

    static let long = String(repeating: "n", count: 129)
    static let region = ["x-regionid": "r0"]
    static let cecCreate: [String: JSONValue] = [
        "diskFormat": "qcow2", "minDisk": 10, "minRam": 512, "name": "ok", "imageType": "os_image", "instruction": "64-bits",
        "cpuArch": "x86", "osType": "linux", "platform": "CentOS", "visibility": "private", "usage": "ecs",
        "departmentId": "d", "tenantId": "t",
    ]
    static func cec(_ change: (inout [String: JSONValue]) -> Void) -> GatewayClient.Body {
        var fields = cecCreate
        change(&fields)
        return .json(.object(fields))
    }
    static let cecInvalid: [String: JSONValue] = ["code": "IMG.InvalidParameter", "data": nil]
    /// Over `max_body_bytes` (1 MiB in Config/ims-gateway.yaml).
    static let huge = GatewayClient.Body.raw(String(repeating: "x", count: (1 << 20) + 1), contentType: "application/json")
    static let tooLarge = "the body is larger than 1048576 bytes"
    static let idcInvalid: [String: JSONValue] = ["ret_code": 1400]

    static let cases: [Case] = [
        Case(dialect: "foreman", what: "malformed JSON", method: .post, path: "/api/compute_resources/1/images",
             body: .raw(#"{"image": {"name": "x""#, contentType: "application/json"), status: 400, expect: [:]),
        Case(dialect: "foreman", what: "wrong type", method: .post, path: "/api/compute_resources/1/images",
             body: .json(["image": ["name": 123, "username": "u", "uuid": "v"]]), status: 422,
             expect: ["error.errors.name.0": "must be a string"]),
        Case(dialect: "foreman", what: "missing required fields", method: .post, path: "/api/compute_resources/1/images",
             body: .json(["image": ["name": "x"]]), status: 422,
             expect: ["error.full_messages": ["Username can't be blank", "Uuid can't be blank"]]),
        Case(dialect: "foreman", what: "name over 128", method: .post, path: "/api/compute_resources/1/images",
             body: .json(["image": ["name": .string(long), "username": "u", "uuid": "v"]]), status: 422,
             expect: ["error.errors.name.0": "is too long (maximum is 128 characters)"]),
        Case(dialect: "foreman", what: "unknown id", method: .put, path: "/api/compute_resources/1/images/999",
             body: .json(["image": ["name": "y"]]), status: 404,
             expect: ["error.message": "Resource image not found by id '999'"]),
        Case(dialect: "foreman", what: "image not a hash", method: .put, path: "/api/compute_resources/1/images/1",
             body: .json(["image": "name"]), status: 422, expect: ["error.errors.image.0": "must be a Hash"]),
        Case(dialect: "foreman", what: "bad user_data", method: .put, path: "/api/compute_resources/1/images/1",
             body: .form([("image[user_data]", "maybe")]), status: 422, expect: ["error.errors.user_data.0": "must be 'true' or 'false'"]),
        Case(dialect: "foreman", what: "a page past Int.max rows", method: .get, path: "/api/compute_resources/1/images",
             query: [("page", "4611686018427387905"), ("per_page", "2")], status: 200, expect: ["results": [], "page": 4611686018427387905]),
        Case(dialect: "foreman", what: "a method the path does not have", method: .patch, path: "/api/compute_resources/1/images",
             status: 405, expect: ["error.message": "/api/compute_resources/1/images does not allow PATCH (it allows GET, POST)"]),
        Case(dialect: "foreman", what: "a path no route has", method: .get, path: "/api/nothing/here",
             status: 404, expect: ["error.message": "no route for GET /api/nothing/here"]),
        Case(dialect: "foreman", what: "a body over max_body_bytes", method: .post, path: "/api/compute_resources/1/images",
             body: huge, status: 413, expect: ["error.message": .string(tooLarge)]),
        Case(dialect: "foreman", what: "a search nested 200,000 deep", method: .get, path: "/api/compute_resources/1/images",
             body: .form([("search", String(repeating: "(", count: 200_000) + "name = x")]), status: 400,
             expect: ["error.message": "The search nests more than 32 levels of parentheses or negations"]),
        Case(dialect: "foreman", what: "a search negated 100,000 times", method: .get, path: "/api/compute_resources/1/images",
             body: .form([("search", String(repeating: "! ", count: 100_000) + "name = x")]), status: 400,
             expect: ["error.message": "The search nests more than 32 levels of parentheses or negations"]),
        Case(dialect: "foreman", what: "a query with an invalid escape", method: .get, path: "/api/compute_resources/1/images?search=%FF",
             status: 400, expect: ["error.message": "the query has an invalid percent-escape (or one that is not UTF-8)"]),
        Case(dialect: "foreman", what: "unknown architecture", method: .put, path: "/api/compute_resources/1/images/1",
             body: .json(["image": ["architecture_id": 99]]), status: 422, expect: ["error.errors.architecture_id.0": "is invalid"]),

        Case(dialect: "cecstack", what: "malformed JSON", method: .post, path: "/api/image/v1/private-images", headers: region,
             body: .raw("{nope", contentType: "application/json"), status: 400, expect: cecInvalid),
        Case(dialect: "cecstack", what: "wrong type", method: .post, path: "/api/image/v1/private-images", headers: region,
             body: cec { $0["minDisk"] = "ten" }, status: 400, expect: cecInvalid),
        Case(dialect: "cecstack", what: "missing required field", method: .post, path: "/api/image/v1/private-images",
             headers: region, body: cec { $0["diskFormat"] = nil }, status: 400, expect: cecInvalid),
        Case(dialect: "cecstack", what: "name over 128", method: .post, path: "/api/image/v1/private-images", headers: region,
             body: cec { $0["name"] = .string(long) }, status: 400, expect: cecInvalid),
        Case(dialect: "cecstack", what: "name with a slash", method: .post, path: "/api/image/v1/private-images", headers: region,
             body: cec { $0["name"] = "a/b" }, status: 400, expect: cecInvalid),
        Case(dialect: "cecstack", what: "unknown id", method: .delete, path: "/api/image/v1/private-images/img-nothere",
             headers: region, status: 400, expect: ["code": "IMG.DBGet.NoData"]),
        Case(dialect: "cecstack", what: "a method the path does not have", method: .delete, path: "/api/image/v1/images",
             headers: region, status: 405, expect: ["code": "IMG.InvalidParameter"]),
        Case(dialect: "cecstack", what: "a path no route has", method: .get, path: "/api/image/v1/nothing",
             headers: region, status: 404, expect: ["code": "IMG.InvalidParameter"]),
        Case(dialect: "cecstack", what: "a body over max_body_bytes", method: .post, path: "/api/image/v1/private-images",
             headers: region, body: huge, status: 413, expect: ["code": "IMG.InvalidParameter"]),
        Case(dialect: "cecstack", what: "a page past Int.max rows", method: .get, path: "/api/image/v1/private-images",
             query: [("current", "2147483647"), ("size", "1000")], headers: region, status: 200, expect: ["data.list": []]),
        Case(dialect: "cecstack", what: "page size over maximum", method: .get, path: "/api/image/v1/private-images",
             query: [("current", "1"), ("size", "1001")], headers: region, status: 400, expect: cecInvalid),

        Case(dialect: "idc51", what: "malformed JSON", method: .put, path: "/v2/zone/ac1/images",
             body: .raw(#"{"image": "img-1""#), status: 400, expect: idcInvalid),
        Case(dialect: "idc51", what: "wrong type", method: .put, path: "/v2/zone/ac1/images",
             body: .raw(#"{"image": "img-1", "image_name": 5}"#), status: 400, expect: idcInvalid),
        Case(dialect: "idc51", what: "missing required field", method: .post, path: "/v2/zone/ac1/images",
             body: .raw(#"{"image_name": "x"}"#), status: 400, expect: idcInvalid),
        Case(dialect: "idc51", what: "name over 128", method: .post, path: "/v2/zone/ac1/images",
             body: .json(["instance": "i-1", "image_name": .string(long)]), status: 400, expect: idcInvalid),
        Case(dialect: "idc51", what: "unknown id", method: .put, path: "/v2/zone/ac1/images",
             body: .json(["image": "img-nothere", "image_name": "x"]), status: 404, expect: ["ret_code": 2100]),
        Case(dialect: "idc51", what: "page size over maximum", method: .get, path: "/v2/zone/ac1/images",
             query: [("limit", "101")], status: 400, expect: idcInvalid),
        Case(dialect: "idc51", what: "a method the path does not have", method: .patch, path: "/v2/zone/ac1/images",
             status: 405, expect: ["ret_code": 1400]),
        Case(dialect: "idc51", what: "a path no route has", method: .get, path: "/v2/zone/ac1/nothing",
             status: 404, expect: ["ret_code": 2100, "message": "no route for GET /v2/zone/ac1/nothing"]),
        Case(dialect: "idc51", what: "a body over max_body_bytes", method: .post, path: "/v2/zone/ac1/images",
             body: huge, status: 413, expect: ["ret_code": 1400, "message": .string(tooLarge)]),
        Case(dialect: "idc51", what: "a NUL inside a search word", method: .get, path: "/v2/zone/ac1/images?search_word=ab%00c",
             status: 200, expect: ["total_count": 0]),
        Case(dialect: "idc51", what: "unknown status", method: .get, path: "/v2/zone/ac1/images",
             query: [("status", "sleepy")], status: 400, expect: idcInvalid),

        Case(dialect: "htaiyun", what: "malformed JSON", method: .post, path: "/v1/openstack/image/application/create",
             body: .raw(#"{"name": "#, contentType: "application/json"), status: 400, expect: ["status": 400]),
        Case(dialect: "htaiyun", what: "wrong type", method: .get, path: "/v1/openstack/image/application/list",
             query: [("page", "first")], status: 406, expect: ["status": 406, "message": "page must be an integer"]),
        Case(dialect: "htaiyun", what: "missing required field", method: .post, path: "/v1/openstack/image/application/create",
             body: .form([("name", "n"), ("displayname", "d"), ("description", "x")]), status: 406,
             expect: ["status": 406, "message": "picture is required"]),
        Case(dialect: "htaiyun", what: "name over 128", method: .post, path: "/v1/openstack/image/application/create",
             body: .form([("name", long), ("displayname", "d"), ("description", "x"), ("picture", "p")]), status: 406,
             expect: ["status": 406, "message": "name is too long (maximum is 128 characters)"]),
        Case(dialect: "htaiyun", what: "unknown id", method: .post, path: "/v1/openstack/image/application/999/update",
             body: .form([("name", "n")]), status: 406, expect: ["status": 406, "message": "application not exists"]),
        Case(dialect: "htaiyun", what: "a form with invalid percent-escapes", method: .post,
             path: "/v1/openstack/image/application/create",
             body: .raw("name=%FF%FE&displayname=d&picture=p&description=x", contentType: "application/x-www-form-urlencoded"),
             status: 400, expect: ["status": 400]),
        Case(dialect: "htaiyun", what: "a method the path does not have", method: .get, path: "/v1/openstack/image/application/create",
             status: 405, expect: ["status": 405]),
        Case(dialect: "htaiyun", what: "a path no route has", method: .get, path: "/applicationinstance/nothing/here/at/all",
             status: 404, expect: ["status": 404]),
        Case(dialect: "htaiyun", what: "a body over max_body_bytes", method: .post, path: "/v1/openstack/image/application/create",
             body: huge, status: 413, expect: ["status": 413, "message": .string(tooLarge)]),
        Case(dialect: "htaiyun", what: "a page past Int.max rows", method: .get, path: "/v1/openstack/image/application/list",
             query: [("page", "2147483647"), ("offset", "1000")], status: 200, expect: ["result.entities": []]),
        Case(dialect: "htaiyun", what: "page size over maximum", method: .get, path: "/v1/openstack/image/application/list",
             query: [("offset", "1001")], status: 406, expect: ["status": 406]),
    ]

    @Test(arguments: cases)
    func answeredInTheDialectsShapeAndNothingChanges(_ c: Case) async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            // Something of every kind to leave untouched.
            #expect(try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                "image": ["name": "base", "username": "root", "uuid": "u-base"],
            ])).status == 201)
            #expect(try await client.send(.post, "/api/image/v1/private-images", headers: Self.region,
                                          body: .json(.object(Self.cecCreate))).status == 200)
            #expect(try await client.send(.post, "/v1/openstack/image/application/create", body: .form([
                ("name", "app"), ("displayname", "d"), ("picture", "p"), ("description", "x"),
            ])).status == 200)
            let before = try await Snapshot.take(client)

            let reply = try await client.send(c.method, c.path, query: c.query, headers: c.headers, body: c.body)
            #expect(reply.status == c.status, "\(reply.text)")
            for (path, value) in c.expect {
                #expect(reply.json.flatMap { lookup($0, path) } == value, "\(path) in \(reply.text)")
            }
            let after = try await Snapshot.take(client)
            #expect(before == after, "the store changed")
            #expect(try await client.send(.get, "/healthz").status == 200)
        }
    }
}

/// Everything the dialects can list, to compare before and after a request.
enum Snapshot {
    static func take(_ client: GatewayClient) async throws -> [JSONValue] {
        [
            try await client.send(.get, "/api/compute_resources/1/images").json ?? .null,
            try await client.send(.get, "/v2/zone/ac1/images", query: [("limit", "100")]).json ?? .null,
            try await client.send(.get, "/v1/openstack/image/application/list", query: [("status", "ALL_STATUS")]).json ?? .null,
        ]
    }
}
