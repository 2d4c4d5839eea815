import GatewayCore

/// CECSTACK's one envelope, success and failure alike: `{requestId, code, message, data}`.
enum CecstackEnvelope {
    static func success(_ request: DialectRequest, data: JSONValue?) -> DialectResponse {
        var body: [String: JSONValue] = ["requestId": .string(request.requestId), "code": "Success", "message": "调用成功"]
        if let data { body["data"] = data }
        return DialectResponse(body: .object(body))
    }

    /// Every error is HTTP 400 with an `IMG.*` code, internal ones included, as the seed's error table lists.
    static func failure(_ request: DialectRequest, _ error: CanonicalError) -> DialectResponse {
        let (code, message): (String, String) = switch error {
        case .notFound(let kind, let id): ("IMG.DBGet.NoData", "资源不存在: \(kind) \(id)")
        case .invalidParameter(let field, let why): ("IMG.InvalidParameter", "参数错误: \(key(field)) \(why)")
        case .conflict(let field, let why): ("IMG.InvalidParameter", "参数错误: \(key(field)) \(why)")
        case .malformedBody(let why): ("IMG.InvalidParameter", "参数错误: \(why)")
        case .invalidState(let why): ("IMG.OperationDenied.ActionNotMatchStatus", "当前状态无法操作: \(why)")
        case .unauthorized: ("IMG.OperationDenied.AuthFail", "鉴权入参异常，请检查参数")
        case .forbidden: ("IMG.OperationDenied.Identity", "对不起，您没有该资源的操作权限")
        case .internal: ("IMG.Internal.Error", "服务内部错误")
        }
        return DialectResponse(status: .badRequest, body: [
            "requestId": .string(request.requestId), "code": .string(code), "message": .string(message), "data": nil,
        ])
    }

    static func key(_ field: String) -> String {
        ImageField(rawValue: field).flatMap { FieldMap.slot($0, in: .cecstack)?.input ?? FieldMap.key($0, in: .cecstack) } ?? field
    }
}
