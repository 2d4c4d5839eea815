import Foundation
import GatewayHTTP
import IMSModel

/// 51idc v2 (`/v2/zone/{zone}/...`): snake_case images; every mutation answers a Job.
public struct Idc51Dialect: Dialect {
    public let id = DialectID.idc51
    public init() {}

    static let maxLimit = 100

    public func decode(_ request: DialectRequest) throws(CanonicalError) -> Decoded {
        Decoded(try command(request), request.echo)
    }

    func command(_ request: DialectRequest) throws(CanonicalError) -> Command {
        let zone = request.parameter("zone") ?? ""
        let job = { (action: String) in JobSpec(action: action, zone: zone, requestId: request.requestId) }
        switch request.operation {
        case .imageList:
            return .listImages(try listQuery(request))
        case .imageCapture:
            let body = try request.bodyObject()
            guard let instance = try Parameters.string(body["instance"], name: "instance"), !instance.isEmpty else {
                throw .invalidParameter(field: "instance", message: "is required")
            }
            var patch: ImagePatch = [:]
            if let name = body["image_name"] { patch[.name] = try Self.slots.decodeValue(name, field: .name) }
            patch[.zone] = .string(zone)
            return .asJob(job("CaptureInstance"), .captureImage(instance: instance, patch: patch))
        case .imageBatchDelete:
            var ids = (request.parameter("ids") ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            if request.parameter("ids") == nil {
                // DELETE /images with {"images": [...]}: batches too long for a URL.
                guard case .array(let listed)? = try request.bodyObject()["images"] else {
                    throw .invalidParameter(field: "images", message: "is required")
                }
                ids = listed.compactMap(\.stringValue)
            }
            guard !ids.isEmpty else { throw .invalidParameter(field: "img_id", message: "is required") }
            return .asJob(job("DeleteImages"), .batchDeleteImages(ids))
        case .imageUpdate:
            let body = try request.bodyObject()
            guard let image = try Parameters.string(body["image"], name: "image"), !image.isEmpty else {
                throw .invalidParameter(field: "image", message: "is required")
            }
            var patch: ImagePatch = [:]
            for field in [ImageField.name, .description] {
                if let key = Self.slots.slot(field)?.input, let raw = body[key] {
                    patch[field] = try Self.slots.decodeValue(raw, field: field)
                }
            }
            return .asJob(job("ModifyImageAttributes"), .updateImage(ImageSelector(ref: image), patch))
        case .jobGet:
            return .getJob(request.parameter("job_id") ?? "")
        default:
            throw .internal("51idc has no \(request.operation.rawValue)")
        }
    }

    public func encode(_ result: CommandResult, for echo: Echo) throws(CanonicalError) -> DialectResponse {
        switch (echo.operation, result) {
        case (.imageList, .images(let page)):
            return DialectResponse(body: [
                "images": .array(page.items.map { .object(Self.image($0)) }),
                "total_count": .int(Int64(page.total)),
                "ret_code": 0,
            ])
        case (.jobGet, .job(let job)):
            return DialectResponse(body: Self.job(job))
        // Every mutation is a job (`Command.asJob`): the answer names it.
        case (.imageCapture, .job(let job)), (.imageUpdate, .job(let job)), (.imageBatchDelete, .job(let job)):
            return DialectResponse(body: ["job_id": .string(job.jobId), "action": .string(job.action), "ret_code": 0])
        default:
            throw echo.unexpected(result, in: id)
        }
    }

    /// The error layout 51idc inherits from its ancestor API: a non-zero `ret_code` and a message, with a matching HTTP status.
    public func encode(_ error: CanonicalError, for request: DialectRequest) -> DialectResponse {
        let (status, code, message): (HTTPStatus, Int64, String) = switch error {
        case .invalidParameter(let field, let why), .conflict(let field, let why):
            (.badRequest, 1400, "parameter \(Self.key(field)) \(why)")
        case .malformedBody(let why): (.badRequest, 1400, why)
        case .notFound(let kind, let id): (.notFound, 2100, "resource \(kind) [\(id)] not found")
        case .rejected(_, let why): (.badRequest, 1400, why)
        case .unauthorized(let why): (.unauthorized, 1200, "authentication failed: \(why)")
        case .forbidden(let why): (.forbidden, 1400, "permission denied: \(why)")
        case .internal: (.internalServerError, 5000, "internal error")
        case .unavailable: (.serviceUnavailable, 5000, "service temporarily unavailable")
        case .tooLarge: (.contentTooLarge, 1400, error.description)
        case .noRoute(_, _, let allowed): (error.frontDoorStatus ?? .notFound, allowed.isEmpty ? 2100 : 1400, error.description)
        }
        return DialectResponse(status: status, body: ["ret_code": .int(code), "message": .string(message)], headers: error.allowHeader)
    }

    // MARK: -

    static func key(_ field: String) -> String {
        ImageField(rawValue: field).flatMap { Self.slots.key($0) } ?? field
    }

    static func image(_ view: ImageView) -> [String: JSONValue] {
        var out = Self.slots.encode(view)
        out["recommended_type"] = ""
        return out
    }

    static func job(_ job: Job) -> JSONValue {
        let time = { (date: Date?) -> JSONValue in date.map { ValueCodec.TimeStyle.isoSeconds.render($0) } ?? "" }
        return [
            "job_id": .string(job.jobId), "id_prefix": "", "action": .string(job.action),
            "request_id": .string(job.requestId), "status": .string(job.status.rawValue),
            "create_time": time(job.createdAt), "begin_time": time(job.beganAt), "finished_time": time(job.finishedAt),
            "info": .string(job.info), "extra": "", "zone": .string(job.zone),
            "resource_ids": job.resources.json, "ret_code": 0,
        ]
    }

    func listQuery(_ request: DialectRequest) throws(CanonicalError) -> ImageQuery {
        let params = try Parameters.merged(request)
        var filters: [ImageCondition] = []
        var ids: [String] = []
        switch params["images"] ?? params["images[]"] {
        case .array(let list)?: ids = list.compactMap(\.stringValue)
        case .string(let s)?: ids = s.split(separator: ",").map(String.init)
        case nil, .null?: break
        default: throw .invalidParameter(field: "images", message: "must be a list of image ids")
        }
        // The numbered list encoding (`images.1=…&images.2=…`) 51idc's API inherits from its ancestor.
        // Merged through a set: a client picks these lists' lengths, so a scan per id would be quadratic.
        var seen = Set(ids)
        for id in request.queryValues("images[]") + (try NumberedList.values("images", in: params)) where seen.insert(id).inserted {
            ids.append(id)
        }
        if !ids.isEmpty { filters.append(ImageCondition(.imageId, .in, ids.map { .string($0) })) }
        for field in Self.listFilters {
            guard let key = Self.slots.slot(field)?.input, let raw = params[key], raw != "" else { continue }
            filters.append(.eq(field, try Self.slots.decodeValue(raw, field: field)))
        }
        if let status = try Parameters.string(params["status"], name: "status"), !status.isEmpty {
            guard let states = Self.statuses[status] else {
                throw .invalidParameter(field: "status", message: "must be one of \(Self.statuses.keys.sorted().joined(separator: ", "))")
            }
            filters.append(ImageCondition(.status, .in, states.map { .string($0) }))
        }
        let offset = try Parameters.bounded(params["offset"], name: "offset", default: 0, range: 0...Int(Int32.max))
        let limit = try Parameters.bounded(params["limit"], name: "limit", default: 10, range: 1...Self.maxLimit)
        let word = try Parameters.string(params["search_word"], name: "search_word")
        return ImageQuery(scope: .visible, filters: filters, searchWord: word?.isEmpty == false ? word : nil,
                          sort: [SortKey(.createdAt, descending: true)], offset: offset, limit: limit)
    }
}
