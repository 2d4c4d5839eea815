import GatewayHTTP
import IMSModel

/// CECSTACK's upload/download, share, import and export endpoints.
extension CecstackDialect {
    static let pageLimit = 1...maxPageSize

    func decodeFilesAndShares(_ request: DialectRequest, echo: inout Echo) throws(CanonicalError) -> Command {
        switch request.operation {
        case .imagePrepareUpload:
            let body = try request.bodyObject()
            guard let size = try Parameters.int(body["size"], name: "size") else {
                throw .invalidParameter(field: "size", message: "is required")
            }
            return .prepareUpload(ImageSelector(ref: try imageRef(request)), size: Int64(size))
        case .imageFinishUpload:
            let body = try request.bodyObject()
            let result = try Parameters.string(body["result"], name: "result")
            guard result == "success" || result == "failed" else {
                throw .invalidParameter(field: "result", message: "must be success or failed")
            }
            return .finishUpload(ImageSelector(ref: try imageRef(request)),
                                 uploadId: try Parameters.string(body["uploadId"], name: "uploadId") ?? "",
                                 success: result == "success")
        case .imageDownload:
            return .downloadImage(ImageSelector(ref: try imageRef(request)))
        case .imageShare:
            return .shareImage(ImageSelector(ref: try imageRef(request)), userIds: try userIds(request))
        case .imageUnshare:
            return .unshareImage(ImageSelector(ref: try imageRef(request)), userIds: try userIds(request))
        case .imageListShares:
            let (offset, limit) = try window(request, echo: &echo)
            return .listShares(ImageSelector(ref: try imageRef(request)), offset: offset, limit: limit)
        case .shareListReceived:
            let (offset, limit) = try window(request, echo: &echo)
            let order = try Parameters.string(try Parameters.merged(request)["orderBy"], name: "orderBy") ?? "createdAt:desc"
            guard order == "createdAt:desc" || order == "createdAt:asc" else {
                throw .invalidParameter(field: "orderBy", message: "must be createdAt:desc or createdAt:asc")
            }
            return .listReceivedShares(offset: offset, limit: limit, newestFirst: order == "createdAt:desc")
        case .shareDelete:
            return .deleteShare(try shareRef(request))
        case .shareCopy:
            let body = try request.bodyObject()
            let patch = try Self.slots.decode(body.filter { ["tenantId", "departmentId", "resourceGroupId", "name", "description"].contains($0.key) })
            try checkValues(patch)
            return .copyShare(try shareRef(request), patch)
        case .imageImport:
            var patch = try imagePatch(request, required: Self.requiredOnCreate.filter { $0 != .imageType })
            let body = try request.bodyObject()
            guard let url = try Parameters.string(body["imageUrl"], name: "imageUrl"),
                  url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw .invalidParameter(field: "imageUrl", message: "must be an http or https URL")
            }
            if case .array(let volumes)? = body["volumeImages"] {
                for volume in volumes where volume["imageUrl"]?.stringValue == nil {
                    throw .invalidParameter(field: "volumeImages", message: "each needs an imageUrl")
                }
            }
            if patch[.imageType] == nil { patch[.imageType] = "whole_image" }
            if patch[.bootMode] == nil { patch[.bootMode] = "BIOS" }
            return .importImage(patch, url: url)
        case .storageListBuckets:
            return .listBuckets(ImageSelector(ref: try imageRef(request)))
        case .imageExport:
            let bucket = try request.bodyObject()["bucket"]
            guard case .object(let fields)? = bucket, let name = try Parameters.string(fields["name"], name: "bucket.name"), !name.isEmpty else {
                throw .invalidParameter(field: "bucket", message: "needs a name")
            }
            return .exportImage(ImageSelector(ref: try imageRef(request)), bucket: name)
        default:
            throw .internal("cecstack has no \(request.operation.rawValue)")
        }
    }

    func shareRef(_ request: DialectRequest) throws(CanonicalError) -> String {
        guard let ref = request.parameter("shareId"), !ref.isEmpty else {
            throw .invalidParameter(field: "shareId", message: "is required")
        }
        return ref
    }

    /// `{"shares":{"user_ids":[…]}}`; ids may come as strings or numbers.
    func userIds(_ request: DialectRequest) throws(CanonicalError) -> [String] {
        guard case .array(let ids)? = try request.bodyObject()["shares"]?["user_ids"] else {
            throw .invalidParameter(field: "shares.user_ids", message: "is required")
        }
        var out: [String] = []
        for id in ids {
            guard let text = try Parameters.string(id, name: "shares.user_ids") else { continue }
            out.append(text)
        }
        return out
    }

    /// The page to list; the answer echoes the page and the size the client gave.
    func window(_ request: DialectRequest, echo: inout Echo) throws(CanonicalError) -> (offset: Int, limit: Int) {
        let params = try Parameters.merged(request)
        let size = try Parameters.bounded(params["size"], name: "size", default: 10, range: Self.pageLimit)
        let current = try Parameters.bounded(params["current"], name: "current", default: 1, range: 1...Int(Int32.max))
        (echo.page, echo.pageSize) = (current, try Parameters.int(params["size"], name: "size") == nil ? nil : size)
        return (Parameters.offset(page: current, size: size), size)
    }

    /// Where to put the bytes, both served by the gateway itself: `image_url` takes a plain PUT;
    /// `domain` (a bare scheme://host:port, as S3 SDKs want it), `bucket` and `file` name the
    /// object an S3 client writes with the upload's own key pair (`S3Middleware`).
    static func uploadTarget(_ ticket: UploadTicket, publicURL: String) -> JSONValue {
        let domain = Self.origin(publicURL)
        return [
            "image_url": .string("\(publicURL)/ims/v1/uploads/\(ticket.imageId)?token=\(ticket.token)"),
            "accessKey": .string(ticket.accessKey), "secretKey": .string(ticket.secretKey), "token": .string(ticket.token),
            "bucket": .string(S3Middleware.bucket), "file": .string(ticket.imageId), "domain": .string(domain),
            "uploadId": .string(ticket.uploadId),
        ]
    }

    /// scheme://host:port of a URL, without a path.
    static func origin(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        return String(url[..<scheme.upperBound] + rest.prefix { $0 != "/" })
    }

    static func share(_ view: ShareView) -> JSONValue {
        let time = ValueCodec.TimeStyle.rfc3339Millis
        return [
            "createdAt": time.render(view.share.createdAt), "updatedAt": time.render(view.share.updatedAt),
            "id": JSONValue(view.share.id), "shareId": .string(view.share.shareId), "imageId": .string(view.share.imageId),
            "userId": .string(view.share.userId), "userName": JSONValue(view.userName),
            "image": view.image.map { .object(image($0)) } ?? .null,
        ]
    }
}
