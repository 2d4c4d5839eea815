import Foundation
import HTTPTypes

/// An OpenAPI 3.1 document per dialect, generated from what is served: the paths from the route
/// table, the answers' shapes from the dialect's own encoders (a sample canonical result is
/// encoded and its JSON described), request fields from `FieldMap`. Nothing is kept beside them
/// by hand, so the document cannot drift from the gateway.
enum OpenAPIDocument {
    static func build(for dialect: any Dialect, routes: [Route]) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for route in routes where route.dialect == dialect.id && route.operation != .document {
            let request = DialectRequest(route: route, parameters: [:], requestId: "00000000-0000-0000-0000-000000000000")
            let success = dialect.encode(Samples.result(for: route.operation), for: request)
            let failure = dialect.encode(.invalidParameter(field: "name", message: "can't be blank"), for: request)
            var operation: [String: JSONValue] = [
                "operationId": .string("\(route.method.rawValue.lowercased())\(route.template.replacingOccurrences(of: "/", with: "_"))"),
                "summary": .string(route.operation.rawValue),
                "tags": [.string(route.operation.rawValue.split(separator: ".").first.map(String.init) ?? "")],
                "parameters": .array(pathParameters(route.template)),
                "responses": .object(Dictionary([
                    (String(success.status.code), response(success, "success")),
                    (String(failure.status.code), response(failure, "the dialect's error")),
                ], uniquingKeysWith: { first, _ in first })),
            ]
            if [.post, .put].contains(route.method) {
                operation["requestBody"] = ["required": false, "content": [
                    "application/json": ["schema": requestSchema(route.operation, dialect.id)],
                    "application/x-www-form-urlencoded": ["schema": requestSchema(route.operation, dialect.id)],
                ]]
            }
            paths[route.template, default: [:]][route.method.rawValue.lowercased()] = .object(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": .string("ims-gateway: \(dialect.id.rawValue)"), "version": "1.0.0",
                     "description": .string("The \(dialect.id.rawValue) dialect as ims-gateway serves it, generated from its route file and encoders.")],
            "paths": .object(paths.mapValues { .object($0) }),
        ]
    }

    static func pathParameters(_ template: String) -> [JSONValue] {
        template.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { part in
            ["name": .string(String(part.dropFirst().dropLast())), "in": "path", "required": true, "schema": ["type": "string"]]
        }
    }

    static func response(_ answer: DialectResponse, _ description: String) -> JSONValue {
        guard let body = answer.body else { return ["description": .string(description)] }
        return ["description": .string(description), "content": ["application/json": ["schema": schema(of: body)]]]
    }

    /// A JSON Schema describing a sample value.
    static func schema(of value: JSONValue) -> JSONValue {
        switch value {
        case .null: return [:]
        case .bool: return ["type": "boolean"]
        case .int: return ["type": "integer"]
        case .double: return ["type": "number"]
        case .string: return ["type": "string"]
        case .array(let items): return ["type": "array", "items": items.first.map(schema(of:)) ?? [:]]
        case .object(let fields): return ["type": "object", "properties": .object(fields.mapValues(schema(of:)))]
        case .encoded(let text): return schema(of: JSONValue.parse(text.utf8) ?? .null)
        }
    }

    /// Image writes take the dialect's input keys from `FieldMap`; other bodies are free-form.
    static func requestSchema(_ operation: Operation, _ dialect: DialectID) -> JSONValue {
        guard [.imageCreate, .imageUpdate, .imageImport].contains(operation) else { return ["type": "object"] }
        var properties: [String: JSONValue] = [:]
        for (field, slots) in FieldMap.images where field.isWritable {
            guard let key = slots[dialect]?.input else { continue }
            properties[key] = switch field.kind {
            case .int, .optionalInt: ["type": "integer"]
            case .bool: ["type": "boolean"]
            default: ["type": "string"]
            }
        }
        return ["type": "object", "properties": .object(properties)]
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

    static var catalogEntry: CatalogEntry { CatalogEntry(kind: .operatingsystem, id: 1, name: "Debian", major: "12", family: "Debian", now: now) }

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
