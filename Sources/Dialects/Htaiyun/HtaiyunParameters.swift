import GatewayHTTP
import IMSModel

/// What each htaiyun operation accepts, for its OpenAPI document: the decoder's list window
/// (page, `offset` as page size up to `maxPageSize`, statuses, orders), required keys and flavours.
extension HtaiyunDialect {
    static func windowParameters(statuses: [String]) -> [InputParameter] {
        [
            InputParameter("keywords", .string()),
            InputParameter("status", .oneOf(statuses + ["ALL_STATUS"])),
            InputParameter("page", .integer(minimum: 1, maximum: Int64(Int32.max)), description: "from 1"),
            InputParameter("offset", .integer(minimum: 1, maximum: Int64(maxPageSize)), description: "the page size (default 20)"),
            InputParameter("order", .oneOf(ListWindow.Order.allCases.map(\.rawValue))),
            InputParameter("asc", .boolean, description: "default false"),
            InputParameter("acs", .boolean, description: "`asc` as the seed also spells it"),
        ]
    }

    /// A body the seed sends as form fields; JSON is read too.
    static func body(_ fields: [(name: String, schema: InputSchema)], required: [String] = []) -> OperationInput {
        let schema = InputSchema.object(fields, required: required)
        return OperationInput(body: schema, form: schema, bodyRequired: !required.isEmpty)
    }

    static let text = InputSchema.string(minLength: 1)
    static let applications = InputSchema.anyOf([.string(), .array(.string())])
    static let ids = InputSchema.anyOf([.string(minLength: 1, pattern: "^[0-9]+( *, *[0-9]+)*$"), .array(.integer(), maxItems: 1000)])
    static let userId = InputSchema.integer(minimum: 1)

    func declaredInput(_ operation: Operation) -> OperationInput {
        switch operation {
        case .applicationCreate:
            return Self.body([("name", Self.text), ("displayname", Self.text), ("description", Self.text), ("picture", Self.text),
                              ("applications", Self.applications)], required: ["name", "displayname", "description", "picture"])
        case .applicationUpdate:
            return Self.body([("name", .string()), ("displayname", .string()), ("description", .string()), ("picture", .string()),
                              ("applications", Self.applications)])
        case .applicationList:
            return OperationInput(query: Self.windowParameters(statuses: ApplicationStatus.allCases.map(\.rawValue)))
        case .instanceCreate:
            return Self.body([("name", .string(minLength: 1, maxLength: 200)), ("displayname", Self.text), ("description", .string()),
                              ("userid", Self.userId), ("applicationid", .integer(minimum: 1)),
                              ("flavorconfig", .oneOf(FlavorConfig.allCases.map(\.rawValue)))],
                             required: ["name", "displayname", "userid", "applicationid", "flavorconfig"])
        case .instanceUpdate:
            return Self.body([("name", .string(maxLength: 200)), ("displayname", .string()), ("description", .string())])
        case .instanceBatchDelete:
            return Self.body([("ids", Self.ids)], required: ["ids"])
        case .instanceAddMember, .instanceRemoveMember:
            return Self.body([("userid", Self.userId)], required: ["userid"])
        case .instanceAddMembers, .instanceRemoveMembers:
            return Self.body([("userids", Self.ids)], required: ["userids"])
        case .instanceListMembers:
            return OperationInput(query: Self.windowParameters(statuses: Self.memberStatuses))
        case .instanceList:
            return OperationInput(query: [InputParameter("userid", .integer()), InputParameter("applicationid", .integer())]
                                  + Self.windowParameters(statuses: Self.instanceStatuses))
        default:
            return .none
        }
    }

    public func input(for route: Route) -> OperationInput {
        var input = declaredInput(route.operation)
        input.path = [InputParameter("id", .integer(minimum: 1), required: true)]
        return input
    }

    public var security: DialectSecurity {
        DialectSecurity(schemes: [
            ("accessToken", .header(Credentials.htAccessToken.rawName), "the application's access token"),
            ("sessionToken", .header(Credentials.sessionToken.rawName), "the session's token"),
            ("sessionSecret", .header(Credentials.sessionSecret.rawName), "the session's secret"),
            ("sessionBasic", .basic, "the session as Authorization: Basic base64(sessionToken:sessionSecret)"),
        ], requirements: [["accessToken", "sessionToken", "sessionSecret"], ["accessToken", "sessionBasic"]])
    }
}
