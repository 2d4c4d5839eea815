import GatewayHTTP
import HTTPTypes
import IMSModel

/// What each CECSTACK operation accepts, for its OpenAPI document: the decoder's required keys,
/// allowed values, name rule and page bound, and the image keys of `FieldMap`.
extension CecstackDialect {
    /// `isValidName`: letters, digits, `-`, `.`, `_`, space and Chinese, 1–128, no outer space.
    static let nameSchema = InputSchema.string(
        minLength: 1, maxLength: 128,
        pattern: #"^[A-Za-z0-9._\u3400-\u4DBF\u4E00-\u9FFF-]([A-Za-z0-9._ \u3400-\u4DBF\u4E00-\u9FFF-]*[A-Za-z0-9._\u3400-\u4DBF\u4E00-\u9FFF-])?$"#)
    /// `checkValues`: a description is 2–256 characters.
    static let descriptionSchema = InputSchema.string(minLength: 2, maxLength: 256)

    static let pageParameters = [
        InputParameter("size", .integer(minimum: Int64(pageLimit.lowerBound), maximum: Int64(pageLimit.upperBound)), required: true),
        InputParameter("current", .integer(minimum: 1, maximum: Int64(Int32.max)), required: true),
    ]

    /// Image fields as the create, update and import bodies take them.
    static func imageBody(required: [ImageField], extra: [(name: String, schema: InputSchema)] = [],
                          extraRequired: [String] = []) -> InputSchema {
        let fields = ImageInputs.properties(Self.slots, required: required, allowed: allowed,
                                            overriding: [.name: nameSchema, .description: descriptionSchema])
        return .object(fields + extra, required: ImageInputs.keys(required, in: Self.slots) + extraRequired)
    }

    static let userIdsBody = InputSchema.object([("shares", .object([("user_ids", .array(.string(minLength: 1), maxItems: 50))],
                                                                     required: ["user_ids"]))], required: ["shares"])

    public func input(for route: Route) -> OperationInput {
        var input = declaredInput(route.operation)
        input.query.append(InputParameter("requestInfo", .string(), description: "optional, as the seed allows; not read"))
        return input
    }

    func declaredInput(_ operation: Operation) -> OperationInput {
        let path = [InputParameter("imageId", .string(minLength: 1), required: true, description: "the row id or the img- reference"),
                    InputParameter("shareId", .string(minLength: 1), required: true)]
        switch operation {
        case .imageList:
            return OperationInput(path: path, query: Self.pageParameters + [
                InputParameter("filter", .string(pattern: #"^(((name|imageId|status|osType|platform):(lk|eq):[^|]*)?\|)*((name|imageId|status|osType|platform):(lk|eq):[^|]*)?$"#),
                               description: "clauses `field:lk|eq:value` joined by `|`, e.g. `name:lk:centos|imageId:eq:img-abcd1234|`"),
            ])
        case .imageListShares:
            return OperationInput(path: path, query: Self.pageParameters.map { var p = $0; p.required = false; return p })
        case .shareListReceived:
            return OperationInput(path: path, query: Self.pageParameters.map { var p = $0; p.required = false; return p } + [
                InputParameter("orderBy", .oneOf(["createdAt:desc", "createdAt:asc"])),
            ])
        case .imageCreate:
            return OperationInput(path: path, body: Self.imageBody(required: Self.requiredOnCreate), bodyRequired: true)
        case .imageUpdate:
            return OperationInput(path: path, body: Self.imageBody(required: Self.requiredOnUpdate), bodyRequired: true)
        case .imageImport:
            let volume = InputSchema.object([("imageUrl", .string(pattern: "^https?://"))], required: ["imageUrl"])
            return OperationInput(path: path, body: Self.imageBody(
                required: Self.requiredOnCreate.filter { $0 != .imageType },
                extra: [("imageUrl", .string(pattern: "^https?://")), ("volumeImages", .array(volume))], extraRequired: ["imageUrl"]),
                bodyRequired: true)
        case .imagePrepareUpload:
            return OperationInput(path: path, body: .object([("size", .integer(minimum: 0))], required: ["size"]), bodyRequired: true)
        case .imageFinishUpload:
            return OperationInput(path: path, body: .object([("result", .oneOf(["success", "failed"])), ("uploadId", .string())],
                                                            required: ["result"]), bodyRequired: true)
        case .imageShare, .imageUnshare:
            return OperationInput(path: path, body: Self.userIdsBody, bodyRequired: true)
        case .shareCopy:
            let fields = ImageInputs.properties(Self.slots, only: [.owner, .departmentId, .resourceGroupId, .name, .description],
                                                overriding: [.name: Self.nameSchema, .description: Self.descriptionSchema])
            return OperationInput(path: path, body: .object(fields))
        case .imageExport:
            let bucket = InputSchema.object([("name", .string(minLength: 1)), ("azId", .string()), ("cellId", .string())], required: ["name"])
            return OperationInput(path: path, body: .object([("bucket", bucket)], required: ["bucket"]), bodyRequired: true)
        default:
            return OperationInput(path: path)
        }
    }

    public var security: DialectSecurity {
        DialectSecurity(schemes: [("bearer", .bearer, "a CECSTACK token (Authorization: Bearer)")], requirements: [["bearer"]],
                        headers: [InputParameter(Self.regionHeader.rawName, .string(minLength: 1), required: true,
                                                 description: "the region; every request needs it")])
    }

    /// The region header every request needs (made once: making a field name validates it).
    static let regionHeader = HTTPField.Name("x-regionid")!
}
