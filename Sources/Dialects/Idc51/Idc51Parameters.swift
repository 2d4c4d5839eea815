import GatewayHTTP
import IMSModel

/// What each 51idc operation accepts, for its OpenAPI document: the decoder's list filters and
/// page bound, its statuses (`Self.statuses`) and image keys (`Self.slots`).
extension Idc51Dialect {
    /// The image fields a list filters on by equality.
    static let listFilters: [ImageField] = [.bits, .platform, .visibility, .provider]

    static var listParameters: [InputParameter] {
        let filters = listFilters.compactMap { field in
            Self.slots.slot(field)?.input.map { InputParameter($0, ImageInputs.schema(field, in: Self.slots)) }
        }
        return [
            InputParameter("images", .string(), description: "image ids, comma-separated"),
            InputParameter("images[]", .array(.string()), description: "image ids, one per parameter"),
            InputParameter("images.1", .string(), description: "image ids as numbered parameters: images.1, images.2, …"),
        ] + filters + [
            InputParameter("status", .oneOf(Self.statuses.keys.sorted())),
            InputParameter("search_word", .string(), description: "an image id or part of a name"),
            InputParameter("offset", .integer(minimum: 0, maximum: Int64(Int32.max))),
            InputParameter("limit", .integer(minimum: 1, maximum: Int64(maxLimit)), description: "default 10"),
        ]
    }

    public func input(for route: Route) -> OperationInput {
        let path = [
            InputParameter("zone", .string(minLength: 1), required: true),
            InputParameter("ids", .string(minLength: 1, pattern: "^[^,]+(,[^,]+)*$"), required: true,
                           description: "image ids, comma-separated (img-9sse88sa,img-992iiiia)"),
            InputParameter("job_id", .string(minLength: 1), required: true),
        ]
        let name = Self.slots.slot(.name)?.input ?? "image_name"
        switch route.operation {
        case .imageList:
            return OperationInput(path: path, query: Self.listParameters)
        case .imageCapture:
            return OperationInput(path: path, body: .object([("instance", .string(minLength: 1)), (name, ImageInputs.schema(.name, in: Self.slots))],
                                                            required: ["instance"]), bodyRequired: true)
        case .imageUpdate:
            let fields = ImageInputs.properties(Self.slots, only: [.name, .description])
            return OperationInput(path: path, body: .object([("image", .string(minLength: 1))] + fields, required: ["image"]),
                                  bodyRequired: true)
        case .imageBatchDelete:
            // Only the route without ids in its path reads them from the body.
            return OperationInput(path: path, body: .object([("images", .array(.string(minLength: 1)))], required: ["images"]))
        default:
            return OperationInput(path: path)
        }
    }

    public var security: DialectSecurity {
        DialectSecurity(schemes: [
            ("accessKeyId", .header(Credentials.accessKeyId.rawName), "the access key's id"),
            ("accessKeySecret", .header(Credentials.accessKeySecret.rawName), "the access key's secret (or both as Authorization: 51IDC id:secret)"),
        ], requirements: [["accessKeyId", "accessKeySecret"]])
    }
}
