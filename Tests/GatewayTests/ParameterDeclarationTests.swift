import Dialects
@testable import GatewayHTTP
import HTTPTypes
@testable import IMSModel
import NIOCore
import Testing

/// The dialects' parameter declarations (what the OpenAPI documents are made of) hold for the
/// decoders themselves: what a declaration allows is decoded, what it excludes is the dialect's
/// error. Decoding is pure, so every route of the shipped route files is checked without a server.
@Suite struct ParameterDeclarationTests {
    static let dialects: [any Dialect] = [ForemanDialect(), CecstackDialect(), Idc51Dialect(), HtaiyunDialect()]

    static func routes() throws -> [Route] {
        let config = try GatewayConfig.load(path: TestGateway.repoRoot.appendingPathComponent("Config/ims-gateway.yaml").path)
        return try config.routeTable(dialects: DialectRegistry(Dialects.all)).routes.filter { $0.operation != .document }
    }

    /// A value the schema allows.
    static func sample(_ schema: InputSchema) -> JSONValue {
        switch schema {
        case .string(let minLength, _, let pattern, let values):
            if let first = values?.first { return .string(first) }
            if pattern?.hasPrefix("^https?") == true { return "http://127.0.0.1:9/image" }
            if pattern?.hasPrefix("^[0-9]") == true { return "1" }
            return .string(String(repeating: "x", count: max(1, minLength ?? 1)))
        case .integer(let minimum, _): return .int(minimum ?? 1)
        case .boolean: return true
        case .array(let items, _): return [sample(items)]
        case .object(let properties, _): return .object(Dictionary(properties.map { ($0.name, sample($0.schema)) }, uniquingKeysWith: { a, _ in a }))
        case .anyOf(let forms): return sample(forms[0])
        }
    }

    static func text(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        var buffer = ByteBuffer()
        value.write(into: &buffer)
        return String(buffer: buffer)
    }

    /// A request to `route` carrying every required parameter and header, plus `query` and `body`.
    static func request(_ dialect: any Dialect, _ route: Route, query: [String: String] = [:], body: JSONValue? = nil) -> DialectRequest {
        let input = dialect.input(for: route)
        var parameters = route.defaults
        for parameter in input.path where route.template.contains("{\(parameter.name)}") {
            parameters[parameter.name] = text(sample(parameter.schema))
        }
        var all = Dictionary(input.query.filter(\.required).map { ($0.name, text(sample($0.schema))) }, uniquingKeysWith: { a, _ in a })
        all.merge(query) { _, new in new }
        var headers = HTTPFields()
        for header in dialect.security.headers + input.headers where header.required {
            headers[HTTPField.Name(header.name)!] = text(sample(header.schema))
        }
        var buffer = ByteBuffer()
        if let body {
            headers[.contentType] = "application/json"
            body.write(into: &buffer)
        }
        return DialectRequest(route: route, parameters: parameters, query: all.map { ($0.key, $0.value) }, headers: headers,
                              body: buffer, requestId: "r")
    }

    static func decodes(_ dialect: any Dialect, _ request: DialectRequest) -> CanonicalError? {
        do throws(CanonicalError) {
            _ = try dialect.decode(request)
            return nil
        } catch {
            return error
        }
    }

    @Test func boundedQueryParametersAreDecodedAtTheirBoundsAndRefusedPastThem() throws {
        var checked = 0
        for route in try Self.routes() {
            let dialect = Self.dialects.first { $0.id == route.dialect }!
            for parameter in dialect.input(for: route).query {
                // An integer, or the integer form of several (Foreman's `per_page`: a number or `all`).
                let forms: [InputSchema] = if case .anyOf(let forms) = parameter.schema { forms } else { [parameter.schema] }
                guard case .integer(let minimum, let maximum)? = forms.first(where: { if case .integer = $0 { true } else { false } })
                else { continue }
                for (inside, outside) in [(minimum, minimum.map { $0 - 1 }), (maximum, maximum.map { $0 + 1 })] {
                    guard let inside, let outside else { continue }
                    let accepted = Self.decodes(dialect, Self.request(dialect, route, query: [parameter.name: String(inside)]))
                    #expect(accepted == nil, "\(route.method) \(route.template) \(parameter.name)=\(inside): \(String(describing: accepted))")
                    let refused = Self.decodes(dialect, Self.request(dialect, route, query: [parameter.name: String(outside)]))
                    guard case .invalidParameter? = refused else {
                        Issue.record("\(route.method) \(route.template) \(parameter.name)=\(outside) was not refused: \(String(describing: refused))")
                        continue
                    }
                    checked += 1
                }
            }
        }
        #expect(checked >= 20)
    }

    @Test func listedValuesAreDecodedAndOthersRefused() throws {
        var checked = 0
        for route in try Self.routes() {
            let dialect = Self.dialects.first { $0.id == route.dialect }!
            for parameter in dialect.input(for: route).query {
                guard case .string(_, _, _, let values?) = parameter.schema else { continue }
                for value in values {
                    let accepted = Self.decodes(dialect, Self.request(dialect, route, query: [parameter.name: value]))
                    #expect(accepted == nil, "\(route.method) \(route.template) \(parameter.name)=\(value): \(String(describing: accepted))")
                }
                let refused = Self.decodes(dialect, Self.request(dialect, route, query: [parameter.name: "not-a-listed-value"]))
                #expect(refused != nil, "\(route.method) \(route.template) \(parameter.name) took an unlisted value")
                checked += 1
            }
        }
        #expect(checked >= 8)
    }

    @Test func aBodyWithTheDeclaredKeysIsDecodedAndOneWithoutARequiredKeyIsRefused() throws {
        var checked = 0
        for route in try Self.routes() {
            let dialect = Self.dialects.first { $0.id == route.dialect }!
            let input = dialect.input(for: route)
            guard let body = input.body, case .object(let properties, let required) = body,
                  !route.template.hasSuffix("{ids}") else { continue }
            let full = Self.sample(body)
            let accepted = Self.decodes(dialect, Self.request(dialect, route, body: full))
            #expect(accepted == nil, "\(route.method) \(route.template) \(Self.text(full)): \(String(describing: accepted))")
            for key in required {
                var fields = full.objectValue ?? [:]
                fields[key] = nil
                // A required object's own required keys count too (Foreman's `image`).
                if case .object(let inner, let innerRequired)? = properties.first(where: { $0.name == key })?.schema, !innerRequired.isEmpty {
                    fields[key] = Self.sample(.object(inner.filter { $0.name != innerRequired[0] }, required: []))
                }
                let refused = Self.decodes(dialect, Self.request(dialect, route, body: .object(fields)))
                #expect(refused != nil, "\(route.method) \(route.template) without \(key) was decoded")
                checked += 1
            }
        }
        #expect(checked >= 20)
    }

    @Test func everyDialectDeclaresHowItsClientsAuthenticate() {
        for dialect in Self.dialects {
            let names = Set(dialect.security.schemes.map(\.name))
            #expect(!dialect.security.requirements.isEmpty)
            #expect(dialect.security.requirements.allSatisfy { Set($0).isSubset(of: names) })
        }
        #expect(CecstackDialect().security.headers.map(\.name) == ["x-regionid"])
    }

    /// What the fuzzer reads: each served document carries the declarations.
    @Test func theServedDocumentsDeclareParametersBodiesAndSecurity() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let foreman = try await client.send(.get, "/openapi/foreman.json").json
            #expect(foreman?["components"]?["securitySchemes"]?["basic"]?["scheme"] == "basic")
            let list = foreman?["paths"]?["/api/compute_resources/{compute_resource_id}/images"]?["get"]?["parameters"]?.arrayValue ?? []
            #expect(Set(list.compactMap { $0["name"]?.stringValue }) == ["compute_resource_id", "search", "order", "page", "per_page"])
            #expect(list.first { $0["name"] == "compute_resource_id" }?["schema"]?["maxLength"] == 128)

            let cecstack = try await client.send(.get, "/openapi/cecstack.json").json
            #expect(cecstack?["security"] == [["bearer": []]])
            for (_, methods) in cecstack?["paths"]?.objectValue ?? [:] {
                for (_, operation) in methods.objectValue ?? [:] {
                    let region = operation["parameters"]?.arrayValue?.first { $0["name"] == "x-regionid" }
                    #expect(region?["in"] == "header" && region?["required"] == true)
                }
            }
            let create = cecstack?["paths"]?["/api/image/v1/private-images"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]
            #expect(create?["required"]?.arrayValue?.contains("tenantId") == true)
            #expect(create?["properties"]?["diskFormat"]?["enum"] == ["qcow2", "raw"])
            #expect(create?["properties"]?["instruction"]?["enum"] == ["32-bits", "64-bits"])

            let idc51 = try await client.send(.get, "/openapi/idc51.json").json
            #expect(idc51?["components"]?["securitySchemes"]?["accessKeyId"]?["name"] == "X-Access-Key-Id")
            let limit = idc51?["paths"]?["/v2/zone/{zone}/images"]?["get"]?["parameters"]?.arrayValue?.first { $0["name"] == "limit" }
            #expect(limit?["schema"]?["maximum"] == 100)

            let htaiyun = try await client.send(.get, "/openapi/htaiyun.json").json
            #expect(htaiyun?["security"]?.arrayValue?.count == 2)
            let form = htaiyun?["paths"]?["/v1/openstack/image/application/create"]?["post"]?["requestBody"]?["content"]?["application/x-www-form-urlencoded"]?["schema"]
            #expect(form?["required"] == ["name", "displayname", "description", "picture"])
        }
    }
}
