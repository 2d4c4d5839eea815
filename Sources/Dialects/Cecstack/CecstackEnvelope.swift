import GatewayHTTP
import IMSModel

/// CECSTACK's one envelope, success and failure alike: `{requestId, code, message, data}`.
enum CecstackEnvelope {
    static func success(_ requestId: String, data: JSONValue?) -> DialectResponse {
        var body: [String: JSONValue] = ["requestId": .string(requestId), "code": "Success", "message": "调用成功"]
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
        case .rejected(let reason, let why): (rejectCode(reason), "\(rejectMessage(reason)): \(why)")
        case .unauthorized: ("IMG.OperationDenied.AuthFail", "鉴权入参异常，请检查参数")
        case .forbidden: ("IMG.OperationDenied.Identity", "对不起，您没有该资源的操作权限")
        case .internal, .unavailable: ("IMG.Internal.Error", "服务内部错误")
        case .tooLarge, .noRoute: ("IMG.InvalidParameter", "参数错误: \(error.description)")
        }
        // The seed answers every code with 400; a backend that cannot be reached is a 503, so
        // clients and load balancers retry it rather than give up; a route or a body size HTTP
        // itself has a status for (404, 405, 413) keeps it.
        let status: HTTPStatus = if case .unavailable = error { .serviceUnavailable } else { error.frontDoorStatus ?? .badRequest }
        return DialectResponse(status: status, body: [
            "requestId": .string(request.requestId), "code": .string(code), "message": .string(message), "data": nil,
        ], headers: error.allowHeader)
    }

    static func key(_ field: String) -> String {
        ImageField(rawValue: field).flatMap { CecstackDialect.slots.slot($0)?.input ?? CecstackDialect.slots.key($0) } ?? field
    }

    /// The seed's error table, for each refusal.
    static let rejections: [RejectReason: (code: String, message: String)] = [
        .wrongStatus: ("IMG.OperationDenied.ActionNotMatchStatus", "当前状态无法操作"),
        .imageIsShared: ("IMG.OperationFailed.ImageIsShared", "无法删除已共享的镜像"),
        .alreadyShared: ("IMG.OperationFailed.AlreadyShared", "含有已共享用户"),
        .notShared: ("IMG.OperationFailed.NotShared", "含有未共享用户"),
        .duplicateUserId: ("IMG.OperationFailed.DuplicateUserId", "含有重复用户ID"),
        .invalidUserId: ("IMG.OperationFailed.InvalidUserId", "无效的用户ID"),
        .notShareable: ("IMG.OperationFailed.ActionNotMatch", "该镜像无法共享"),
        .sizeMismatch: ("IMG.OperationFailed.ImageSize", "镜像大小不匹配"),
        .uploadFailed: ("IMG.OperationFailed.UploadError", "镜像上传失败"),
        .uploadNotAllowed: ("IMG.OperationFailed.UploadNotAllowed", "当前镜像不允许上传"),
        .downloadNotAllowed: ("IMG.OperationFailed.DownloadNotAllowed", "当前镜像不允许下载"),
        .tooMany: ("IMG.InvalidParameter", "参数错误"),
    ]

    static func rejectCode(_ reason: RejectReason) -> String { rejections[reason]?.code ?? "IMG.OperationFailed" }
    static func rejectMessage(_ reason: RejectReason) -> String { rejections[reason]?.message ?? "操作失败" }
}
