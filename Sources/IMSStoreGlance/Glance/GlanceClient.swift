import AsyncHTTPClient
import Crypto
import Foundation
import IMSModel
import IMSService
import NIOCore
import NIOHTTP1

/// Who a call to Glance is made as. Without Keystone, Glance's `context` filter takes these
/// from headers a trusted front sets (docs/GLANCE.md); with Keystone, the token of the
/// project's application credential says who (user and roles are the credential's).
public struct GlanceCaller: Sendable, Equatable {
    public var userId: String
    public var projectId: String
    public var roles: [String]

    public init(userId: String, projectId: String, roles: [String]) {
        self.userId = userId
        self.projectId = projectId
        self.roles = roles
    }
}

/// A failed call: Glance's status and the first line of what it said (its error pages are
/// HTML; the line that explains is the last text line).
public struct GlanceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public var description: String { "Glance answered \(status): \(message)" }
}

/// One Glance image as Glance answers it: core attributes and properties in one object.
public struct GlanceImage: Sendable, Equatable {
    public var json: [String: JSONValue]

    public var id: String { json["id"]?.stringValue ?? "" }
    public var status: String { json["status"]?.stringValue ?? "" }
    public var size: Int64? { if case .int(let n)? = json["size"] { n } else { nil } }
    public var checksum: String? { json["checksum"]?.stringValue }
    public var hashValue: String? { json["os_hash_value"]?.stringValue }
}

/// A page of `GET /v2/images`: Glance has no totals and no offsets, only `marker` (the last id).
public struct GlanceImagePage: Sendable {
    public var images: [GlanceImage]
    /// The marker of the next page, nil on the last.
    public var nextMarker: String?
}

/// The image API v2 of one Glance, over AsyncHTTPClient. Bytes stream both ways.
public struct GlanceClient: Sendable {
    public let baseURL: String
    let http: HTTPClient
    public var timeout: TimeAmount = .seconds(30)
    public var auth: GlanceAuth

    public init(url: String, http: HTTPClient, auth: GlanceAuth = .trustedHeaders) {
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.http = http
        self.auth = auth
    }

    /// Whether calls can be made as `project`: any with the trusted headers; with Keystone,
    /// those an application credential is configured for.
    public func canActAs(_ project: String) -> Bool {
        switch auth {
        case .trustedHeaders: true
        case .keystone(let tokens): tokens.projects.contains(project)
        }
    }

    // MARK: Images

    /// `POST /v2/images`; `body` may carry `id` (a UUID; taken even after a delete: 409).
    public func create(_ body: [String: JSONValue], as caller: GlanceCaller) async throws -> GlanceImage {
        GlanceImage(json: try await call(.POST, "/v2/images", caller, json: .object(body), expect: [201]))
    }

    /// `GET /v2/images/{id}`; nil when Glance has none (or the caller may not see it).
    public func image(_ id: String, as caller: GlanceCaller) async throws -> GlanceImage? {
        do {
            return GlanceImage(json: try await call(.GET, "/v2/images/\(escape(id))", caller, expect: [200]))
        } catch let error as GlanceError where error.status == 404 {
            return nil
        }
    }

    /// `GET /v2/images?limit=&marker=&…`: `filters` are Glance's (core fields, `in:` lists, or
    /// a property's exact value); `sort` e.g. `created_at:asc,id:asc` (core fields only).
    public func list(limit: Int = 1000, marker: String? = nil, filters: [String: String] = [:], sort: String? = nil,
                     as caller: GlanceCaller) async throws -> GlanceImagePage {
        var query = [("limit", String(limit))]
        if let marker { query.append(("marker", marker)) }
        if let sort { query.append(("sort", sort)) }
        query += filters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let text = query.map { "\($0.0)=\(escapeQuery($0.1))" }.joined(separator: "&")
        let answer = try await call(.GET, "/v2/images?" + text, caller, expect: [200])
        let images = (answer["images"]?.arrayValue ?? []).compactMap { $0.objectValue.map(GlanceImage.init(json:)) }
        // `next` is `/v2/images?…&marker=<id>`; only its marker matters.
        let next = answer["next"]?.stringValue.flatMap { URLComponents(string: $0)?.queryItems?.first { $0.name == "marker" }?.value }
        return GlanceImagePage(images: images, nextMarker: next)
    }

    /// Every image `filters` select, all pages.
    public func all(filters: [String: String] = [:], as caller: GlanceCaller) async throws -> [GlanceImage] {
        var images: [GlanceImage] = []
        var marker: String?
        repeat {
            let page = try await list(marker: marker, filters: filters, as: caller)
            images += page.images
            marker = page.nextMarker
        } while marker != nil
        return images
    }

    /// `PATCH /v2/images/{id}` with a JSON patch (`GlanceFields.patch`); answers the image after.
    public func patch(_ id: String, _ operations: [JSONValue], as caller: GlanceCaller) async throws -> GlanceImage {
        GlanceImage(json: try await call(.PATCH, "/v2/images/\(escape(id))", caller, json: .array(operations),
                                         contentType: "application/openstack-images-v2.1-json-patch", expect: [200]))
    }

    /// `DELETE /v2/images/{id}`; false when there was none.
    @discardableResult
    public func delete(_ id: String, as caller: GlanceCaller) async throws -> Bool {
        do {
            _ = try await call(.DELETE, "/v2/images/\(escape(id))", caller, expect: [204])
            return true
        } catch let error as GlanceError where error.status == 404 {
            return false
        }
    }

    // MARK: Bytes

    /// `PUT /v2/images/{id}/file`: streams `body` as it arrives. Glance measures size, MD5
    /// (`checksum`) and SHA-512 (`os_hash_value`); read the image after for them.
    public func upload<S: AsyncSequence & Sendable>(_ id: String, body: S, length: Int64? = nil, as caller: GlanceCaller,
                                                   timeout: TimeAmount = .hours(6)) async throws where S.Element == ByteBuffer {
        var request = try await request(.PUT, "/v2/images/\(escape(id))/file", caller)
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        let declared: HTTPClientRequest.Body.Length = length.map { .known($0) } ?? .unknown
        request.body = .stream(body, length: declared)
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        // A stream cannot be sent twice: a 401 only drops the token, for the caller's next try.
        if response.status.code == 401 { await rejected(request, caller) }
        guard response.status.code == 204 else { throw Self.error(response.status.code, bytes) }
    }

    /// `GET /v2/images/{id}/file` (`range` inclusive, nil for all): the bytes, chunk by chunk,
    /// passed to `emit`. Throws 204-as-`GlanceError` when the image has no bytes yet.
    public func download(_ id: String, range: ClosedRange<Int64>? = nil, as caller: GlanceCaller,
                         _ emit: (ByteBuffer) async throws -> Void) async throws {
        let response = try await authorized(caller) {
            var request = try await request(.GET, "/v2/images/\(escape(id))/file", caller)
            if let range { request.headers.add(name: "Range", value: "bytes=\(range.lowerBound)-\(range.upperBound)") }
            return request
        } send: { try await http.execute($0, timeout: .hours(6)) }
        guard response.status.code == 200 || response.status.code == 206 else {
            throw Self.error(response.status.code, try await response.body.collect(upTo: 1 << 20))
        }
        for try await chunk in response.body { try await emit(chunk) }
    }

    // MARK: Members

    /// `POST /v2/images/{id}/members` (the image must be `shared`); the member starts `pending`.
    public func addMember(_ id: String, project: String, as caller: GlanceCaller) async throws {
        _ = try await call(.POST, "/v2/images/\(escape(id))/members", caller, json: ["member": .string(project)], expect: [200])
    }

    /// `PUT /v2/images/{id}/members/{project}`: `accepted`, `rejected` or `pending`; made as the
    /// member (the gateway accepts on the recipient's behalf).
    public func setMemberStatus(_ id: String, project: String, _ status: String, as caller: GlanceCaller) async throws {
        _ = try await call(.PUT, "/v2/images/\(escape(id))/members/\(escape(project))", caller, json: ["status": .string(status)], expect: [200])
    }

    /// `GET /v2/images/{id}/members`: (project, status) of each.
    public func members(_ id: String, as caller: GlanceCaller) async throws -> [(project: String, status: String)] {
        let answer = try await call(.GET, "/v2/images/\(escape(id))/members", caller, expect: [200])
        return (answer["members"]?.arrayValue ?? []).map { ($0["member_id"]?.stringValue ?? "", $0["status"]?.stringValue ?? "") }
    }

    /// `DELETE /v2/images/{id}/members/{project}`; false when it was no member.
    @discardableResult
    public func removeMember(_ id: String, project: String, as caller: GlanceCaller) async throws -> Bool {
        do {
            _ = try await call(.DELETE, "/v2/images/\(escape(id))/members/\(escape(project))", caller, expect: [204])
            return true
        } catch let error as GlanceError where error.status == 404 {
            return false
        }
    }

    // MARK: Plumbing

    /// A request as `caller`: the trusted headers, or the token of its project's credential.
    func request(_ method: HTTPMethod, _ path: String, _ caller: GlanceCaller) async throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        switch auth {
        case .trustedHeaders:
            request.headers.add(name: "X-Identity-Status", value: "Confirmed")
            request.headers.add(name: "X-User-Id", value: caller.userId)
            request.headers.add(name: "X-Project-Id", value: caller.projectId)
            request.headers.add(name: "X-Roles", value: caller.roles.joined(separator: ","))
        case .keystone(let tokens):
            request.headers.add(name: "X-Auth-Token", value: try await tokens.token(for: caller.projectId))
        }
        if let requestId = RequestIDs.current { request.headers.add(name: "X-OpenStack-Request-ID", value: "req-" + requestId) }
        return request
    }

    /// One JSON call; answers the JSON object of the answer (empty for a 204).
    func call(_ method: HTTPMethod, _ path: String, _ caller: GlanceCaller, json: JSONValue? = nil,
              contentType: String = "application/json", expect: Set<Int>) async throws -> [String: JSONValue] {
        let response = try await authorized(caller) {
            var request = try await request(method, path, caller)
            if let json {
                request.headers.add(name: "Content-Type", value: contentType)
                var buffer = ByteBuffer()
                json.write(into: &buffer)
                request.body = .bytes(buffer)
            }
            return request
        } send: { try await http.execute($0, timeout: timeout) }
        let bytes = try await response.body.collect(upTo: 64 << 20)
        guard expect.contains(Int(response.status.code)) else { throw Self.error(response.status.code, bytes) }
        if bytes.readableBytes == 0 { return [:] }
        guard let object = JSONValue.parse(bytes.readableBytesView)?.objectValue else {
            throw GlanceError(status: Int(response.status.code), message: "an answer that is not a JSON object")
        }
        return object
    }

    /// Sends the request `make` builds; a 401 to a Keystone token (revoked, or expired sooner
    /// than it said) drops that token and sends the request once more with a new one.
    func authorized(_ caller: GlanceCaller, _ make: () async throws -> HTTPClientRequest,
                    send: (HTTPClientRequest) async throws -> HTTPClientResponse) async throws -> HTTPClientResponse {
        let request = try await make()
        let response = try await send(request)
        guard response.status.code == 401, case .keystone = auth else { return response }
        _ = try? await response.body.collect(upTo: 1 << 20)
        await rejected(request, caller)
        return try await send(try await make())
    }

    /// Glance refused the token `request` carried.
    func rejected(_ request: HTTPClientRequest, _ caller: GlanceCaller) async {
        guard case .keystone(let tokens) = auth, let token = request.headers.first(name: "X-Auth-Token") else { return }
        await tokens.rejected(token, project: caller.projectId)
    }

    /// Glance's error pages are HTML (`<h1>409 Conflict</h1>\n  Image ID … already exists!<br />`):
    /// the message is the text after the heading.
    static func error(_ status: UInt, _ bytes: ByteBuffer) -> GlanceError {
        let text = String(buffer: bytes)
        let lines = text.replacingOccurrences(of: "<br />", with: "\n").split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("<") }
        return GlanceError(status: Int(status), message: lines.joined(separator: " ").prefix(500).description)
    }

    func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/"))) ?? segment
    }

    func escapeQuery(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~:,"))) ?? value
    }
}

extension GlanceFields {
    /// The Glance id of an `img-` reference: a name-based UUID (RFC 9562 version 5, SHA-1, in
    /// a namespace of our own), so the gateway needs no table to find an image in Glance. A
    /// deleted image's id stays taken in Glance, so a retry after a failed upload uses `attempt`.
    public static func glanceId(_ imageId: String, attempt: Int = 0) -> String {
        let name = attempt == 0 ? imageId : "\(imageId)#\(attempt)"
        var bytes = Array(Insecure.SHA1.hash(data: Array(namespace) + Array(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let i = hex.startIndex
        func cut(_ a: Int, _ b: Int) -> Substring { hex[hex.index(i, offsetBy: a)..<hex.index(i, offsetBy: b)] }
        return "\(cut(0, 8))-\(cut(8, 12))-\(cut(12, 16))-\(cut(16, 20))-\(cut(20, 32))"
    }

    /// The namespace of `glanceId`'s UUIDs (a fixed random UUID's bytes).
    static let namespace: [UInt8] = [0x6f, 0x1c, 0x2e, 0x4a, 0x9b, 0x3d, 0x4e, 0x71, 0x8a, 0x52, 0x0c, 0xd9, 0x33, 0x7e, 0x14, 0xb0]
}
