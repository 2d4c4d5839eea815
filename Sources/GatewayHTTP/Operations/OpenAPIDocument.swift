import Foundation
import HTTPTypes
import IMSModel

/// An OpenAPI 3.1 document per dialect, generated from what is served: the paths from the route
/// table, each operation's parameters, headers and body from the dialect's own declarations
/// (`Dialect.input(for:)`, beside its decoder), its security schemes from `Dialect.security`, and
/// the answers' shapes from the dialect's own encoders (a sample canonical result or error is
/// encoded and its JSON described). Nothing is kept beside them by hand, so the document cannot
/// drift from the gateway.
enum OpenAPIDocument {
    static func build(for dialect: any Dialect, routes: [Route]) -> JSONValue {
        let security = dialect.security
        var paths: [String: [String: JSONValue]] = [:]
        for route in routes where route.dialect == dialect.id && route.operation != .document {
            let input = dialect.input(for: route)
            var operation: [String: JSONValue] = [
                "operationId": .string("\(route.method.rawValue.lowercased())\(route.template.replacingOccurrences(of: "/", with: "_"))"),
                "summary": .string(route.operation.rawValue),
                "tags": [.string(route.operation.rawValue.split(separator: ".").first.map(String.init) ?? "")],
                "parameters": .array(parameters(route, input, security)),
                "responses": responses(dialect, route),
            ]
            if input.body != nil || input.form != nil {
                var content: [String: JSONValue] = [:]
                if let body = input.body { content["application/json"] = ["schema": body.json] }
                if let form = input.form { content["application/x-www-form-urlencoded"] = ["schema": form.json] }
                operation["requestBody"] = ["required": .bool(input.bodyRequired), "content": .object(content)]
            }
            let method = route.method.rawValue.lowercased()
            if route.selector != nil, case .object(var first)? = paths[route.template]?[method] {
                // Routes chosen by a parameter share their path: one operation names them all.
                first["summary"] = .string((first["summary"]?.stringValue ?? "") + ", " + route.operation.rawValue)
                if case .object(let mine)? = operation["responses"], case .object(let theirs)? = first["responses"] {
                    first["responses"] = .object(theirs.merging(mine, uniquingKeysWith: eitherAnswer))
                }
                operation = first
            }
            paths[route.template, default: [:]][method] = .object(operation)
        }
        var document: [String: JSONValue] = [
            "openapi": "3.1.0",
            "info": ["title": .string("ims-gateway: \(dialect.id.rawValue)"), "version": "1.0.0",
                     "description": .string("The \(dialect.id.rawValue) dialect as ims-gateway serves it, generated from its route file, its parameter declarations and its encoders.")],
            "paths": .object(paths.mapValues { .object($0) }),
        ]
        if !security.schemes.isEmpty {
            document["components"] = ["securitySchemes": security.schemesJSON]
            document["security"] = security.requirementsJSON
        }
        return .object(document)
    }

    /// One status's answer for operations that share a path: either one's JSON body (`oneOf`).
    static func eitherAnswer(_ kept: JSONValue, _ other: JSONValue) -> JSONValue {
        let path = ["content", "application/json", "schema"]
        func schema(_ v: JSONValue) -> JSONValue? { path.reduce(Optional(v)) { $0?[$1] } }
        guard let a = schema(kept), let b = schema(other) else { return kept }
        var forms = a["oneOf"]?.arrayValue ?? [a]
        for form in b["oneOf"]?.arrayValue ?? [b] where !forms.contains(form) { forms.append(form) }
        guard forms.count > 1 else { return kept }
        guard case .object(var out) = kept else { return kept }
        out["content"] = ["application/json": ["schema": ["oneOf": .array(forms)]]]
        return .object(out)
    }

    /// Path parameters in the template's order (typed where the dialect declares them, text
    /// otherwise), then the query parameters, then the dialect's common and the operation's headers.
    static func parameters(_ route: Route, _ input: OperationInput, _ security: DialectSecurity) -> [JSONValue] {
        let names = route.template.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }
            .map { String($0.dropFirst().dropLast()) }
        let path = names.map { name in
            input.path.first { $0.name == name } ?? InputParameter(name, .string(minLength: 1), required: true)
        }
        func describe(_ parameter: InputParameter, in location: String) -> JSONValue {
            var out: [String: JSONValue] = ["name": .string(parameter.name), "in": .string(location),
                                            "required": .bool(location == "path" || parameter.required), "schema": parameter.schema.json]
            if let description = parameter.description { out["description"] = .string(description) }
            return .object(out)
        }
        return path.map { describe($0, in: "path") } + input.query.map { describe($0, in: "query") }
            + (security.headers + input.headers).map { describe($0, in: "header") }
    }

    /// The success answer and the dialect's answers to the errors any request may meet, by status.
    static func responses(_ dialect: any Dialect, _ route: Route) -> JSONValue {
        let request = DialectRequest(route: route, parameters: [:], requestId: "00000000-0000-0000-0000-000000000000")
        var out: [String: JSONValue] = [:]
        if route.operation == .imageDownload {
            out["200"] = ["description": "the image's bytes", "headers": .object(requestIdHeader.merging([
                "Content-Length": ["schema": ["type": "integer"]], "X-Checksum-Md5": ["schema": ["type": "string"]],
            ]) { a, _ in a }), "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]]
        } else {
            // The operation's usual result first; a dialect that runs it otherwise (51idc's
            // updates are jobs) answers one of the others.
            var echo = Echo(operation: route.operation, requestId: request.requestId)
            // A route chosen by a parameter answers as the action it chose.
            echo.action = route.selector.flatMap { route.defaults[$0] }
            if let success = Samples.results(for: route.operation).lazy.compactMap({ try? dialect.encode($0, for: echo) }).first {
                out[String(success.status.code)] = response(success, "success")
            }
        }
        for error in Samples.errors {
            let failure = dialect.encode(error, for: request)
            let code = String(failure.status.code)
            if let kept = out[code] {
                // An action API answers errors with its success status: both shapes are documented.
                if route.selector != nil { out[code] = eitherAnswer(kept, response(failure, "the dialect's error")) }
            } else {
                out[code] = response(failure, "the dialect's error")
            }
        }
        return .object(out)
    }

    static let requestIdHeader: [String: JSONValue] = [
        "X-Request-Id": ["description": "the request's id (the client's own, or one made for it)", "schema": ["type": "string"]],
    ]

    static func response(_ answer: DialectResponse, _ description: String) -> JSONValue {
        var out: [String: JSONValue] = ["description": .string(description), "headers": .object(requestIdHeader)]
        if let body = answer.body { out["content"] = ["application/json": ["schema": schema(of: body)]] }
        return .object(out)
    }

    /// A JSON Schema describing a sample value: its types, and every key it has as required.
    static func schema(of value: JSONValue) -> JSONValue {
        switch value {
        case .null: return [:]
        case .bool: return ["type": "boolean"]
        case .int: return ["type": "integer"]
        case .double: return ["type": "number"]
        case .string: return ["type": "string"]
        case .array(let items): return ["type": "array", "items": items.first.map(schema(of:)) ?? [:]]
        case .object(let fields):
            return ["type": "object", "properties": .object(fields.mapValues(schema(of:))),
                    "required": .array(fields.keys.sorted().map { .string($0) })]
        case .encoded(let text): return schema(of: JSONValue.parse(text.utf8) ?? .null)
        }
    }
}

/// Sample canonical results, one per operation, for describing answers.
enum Samples {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static var image: ImageView {
        var image = Image(imageId: "img-abcd1234", name: "centos", now: now)
        image.id = 1
        image.computeResourceId = 1
        return ImageView(image: image, computeResourceName: "libvirt", operatingsystemName: "CentOS 9", architectureName: "x86_64")
    }
    static var application: ImageApplication {
        var app = ImageApplication(name: "app", displayName: "App", description: "d", picture: "p.jpg", owner: "t", now: now)
        app.id = 1
        return app
    }
    static var user: User { User(id: 1, username: "user", now: now) }
    static var instance: InstanceView {
        InstanceView(instance: ApplicationInstance(
            id: 1, name: "i", displayName: "I", description: nil, userId: 1, applicationId: 1, flavorConfig: .lowest,
            status: .actived, owner: "t", stackRef: "s", stackName: "s", stackId: "s", serverRef: "v", serverName: "v",
            serverId: "v", flavorRef: "f", flavorId: "f", createdAt: now, updatedAt: now), application: application, owner: user)
    }
    static var share: ShareView {
        ShareView(share: ImageShare(id: 1, shareId: "img-share-x", imageId: "img-abcd1234", userId: "1", createdAt: now, updatedAt: now),
                  userName: "user", image: image)
    }

    /// Errors any request may meet, for the answers each dialect gives them.
    static let errors: [CanonicalError] = [
        .invalidParameter(field: "name", message: "can't be blank"), .malformedBody("the body is not valid JSON"),
        .notFound(kind: "image", id: "1"), .unauthorized("user"), .forbidden("not yours"), .unavailable("backend unreachable"),
    ]
    static var catalogEntry: CatalogEntry { CatalogEntry(kind: .operatingsystem, id: 1, name: "Debian", major: "12", family: "Debian", now: now) }

    /// One result of each kind.
    static var all: [CommandResult] {
        [.image(image), .images(ImagePage(items: [image], total: 1, scopeTotal: 1)), .imagesDeleted(["img-abcd1234"]),
         .application(application), .applications(ApplicationPage(items: [application], total: 1)),
         result(for: .jobGet), result(for: .jobList), .instance(instance), .instances(InstancePage(items: [instance], total: 1)),
         .users(UserPage(items: [user], total: 1)), result(for: .imagePrepareUpload), .shares(SharePage(items: [share], total: 1)),
         result(for: .storageListBuckets), .catalogEntry(catalogEntry),
         .catalogEntries(CatalogPage(items: [catalogEntry], total: 1, scopeTotal: 1)), .done]
    }

    /// `result(for:)`, then every other kind.
    static func results(for operation: Operation) -> [CommandResult] {
        let usual = result(for: operation)
        return [usual] + all.filter { $0.kind != usual.kind }
    }

    static func result(for operation: Operation) -> CommandResult {
        switch operation {
        case .imageList: .images(ImagePage(items: [image], total: 1, scopeTotal: 1))
        case .catalogList: .catalogEntries(CatalogPage(items: [catalogEntry], total: 1, scopeTotal: 1))
        case .catalogGet, .catalogCreate, .catalogUpdate, .catalogDelete: .catalogEntry(catalogEntry)
        case .imageBatchDelete, .imageCapture:
            .job(Job(jobId: "j-1", action: "DeleteImages", status: .pending, zone: "z", requestId: "r", resourceIds: [],
                     owner: "t", createdAt: now))
        case .jobGet:
            .job(Job(jobId: "j-1", action: "CaptureInstance", status: .successful, zone: "z", requestId: "r",
                     resourceIds: ["img-abcd1234"], owner: "t", createdAt: now, beganAt: now, finishedAt: now))
        case .jobList:
            .jobs(JobPage(items: [Job(jobId: "j-1", action: "CaptureInstance", status: .successful, zone: "z", requestId: "r",
                                      resourceIds: ["img-abcd1234"], owner: "t", createdAt: now, beganAt: now, finishedAt: now)], total: 1))
        case .imagePrepareUpload: .uploadTicket(UploadTicket(imageId: "img-abcd1234", uploadId: "u", token: "t", size: 1))
        case .imageShare, .imageUnshare, .imageListShares, .shareListReceived, .shareDelete: .shares(SharePage(items: [share], total: 1))
        case .storageListBuckets: .buckets([Bucket(name: "b", azId: "AZ0", cellId: "c")])
        case .applicationCreate, .applicationGet, .applicationUpdate, .applicationDelete: .application(application)
        case .applicationList: .applications(ApplicationPage(items: [application], total: 1))
        case .instanceCreate, .instanceGet, .instanceUpdate: .instance(instance)
        case .instanceList, .instanceDelete, .instanceBatchDelete: .instances(InstancePage(items: [instance], total: 1))
        case .instanceAddMember, .instanceRemoveMember, .instanceAddMembers, .instanceRemoveMembers, .instanceListMembers:
            .users(UserPage(items: [user], total: 1))
        default: .image(image)
        }
    }
}
