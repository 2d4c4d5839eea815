import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The gateway's own API, `/ims/v1`: canonical commands over HTTP, so that one gateway (bundled)
/// can be the backend of others (`backend: remote`). Only callers presenting one of the
/// configured service tokens may use it; they assert the identity each command runs as.
///
/// - `POST /ims/v1/execute` `{"command": Command}` → `{"result": CommandResult}` or
///   `{"error": CanonicalError}` with a matching status.
/// - `GET /ims/v1/images/{ref}/file` → the image's bytes, streamed.
/// - `PUT /ims/v1/uploads/{imageId}?token=…` → stores a prepared upload (the upload token is the
///   credential; see `UploadRoutes`).
struct CanonicalAPI: Sendable {
    let backend: any Backend
    /// SHA-256 (hex) of the service tokens accepted; none means the API is closed.
    let tokenHashes: Set<String>

    func add(to router: Router<GatewayRequestContext>) {
        let api = router.group("ims/v1")
        api.post("execute") { request, context -> Response in
            let identity: Identity
            do {
                identity = try authorize(request)
            } catch {
                return CanonicalWire.error(error as? CanonicalError ?? .unauthorized("\(error)"))
            }
            do {
                let body = try await request.body.collect(upTo: 16 << 20)
                let envelope = try JSONValueDecoder().decode(CanonicalWire.Execute.self, from: body.readableBytesView)
                let result = try await backend.execute(envelope.command, as: identity)
                return CanonicalWire.json(.ok, CanonicalWire.Answer(result: result, error: nil))
            } catch let error as CanonicalError {
                return CanonicalWire.error(error)
            } catch is DecodingError {
                return CanonicalWire.error(.malformedBody("not a canonical command"))
            } catch {
                return CanonicalWire.error(.internal("\(error)"))
            }
        }
        api.get("images/{ref}/file") { request, context -> Response in
            do {
                let identity = try authorize(request)
                let ref = try context.parameters.require("ref")
                let download = try await backend.download(ImageSelector(ref: ref), as: identity)
                return DialectMiddleware.stream(download, requestId: request.headers[.requestID] ?? "", pacedBy: context.eventLoop)
            } catch {
                return CanonicalWire.error(error as? CanonicalError ?? .internal("\(error)"))
            }
        }
    }

    /// The service token, then the identity the caller asserts.
    func authorize(_ request: Request) throws(CanonicalError) -> Identity {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              tokenHashes.contains(Secrets.sha256Hex(String(header.dropFirst(7))))
        else { throw .unauthorized("the canonical API needs a service token") }
        guard let text = request.headers[.imsIdentity], let identity = try? JSONValueDecoder().decode(Identity.self, from: text.utf8)
        else { throw .invalidParameter(field: "X-IMS-Identity", message: "is required") }
        return identity
    }
}

/// The canonical API's wire forms, shared by the server side and `RemoteBackend`.
enum CanonicalWire {
    struct Execute: Codable {
        var command: Command
    }

    struct Answer: Codable {
        var result: CommandResult?
        var error: CanonicalError?
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body(value)))
    }

    /// `value` as JSON text (`{}` should it not encode, which no wire form does).
    static func body(_ value: some Encodable) -> ByteBuffer {
        var buffer = ByteBuffer()
        do {
            try JSONValueEncoder().write(value, into: &buffer)
        } catch {
            buffer.clear()
            buffer.writeStaticString("{}")
        }
        return buffer
    }

    static func error(_ error: CanonicalError) -> Response {
        json(status(error), Answer(result: nil, error: error))
    }

    static func status(_ error: CanonicalError) -> HTTPResponse.Status {
        switch error {
        case .notFound: .notFound
        case .invalidParameter, .malformedBody: .badRequest
        case .conflict, .rejected: .conflict
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .internal: .internalServerError
        case .unavailable: .serviceUnavailable
        case .tooLarge, .noRoute: error.frontDoorStatus ?? .badRequest
        }
    }
}

extension HTTPField.Name {
    /// The identity a trusted gateway asserts for a canonical command (JSON of `Identity`).
    static let imsIdentity = Self("X-IMS-Identity")!
}

/// Hashing of presented secrets: only hashes are ever stored or compared.
public enum Secrets {
    public static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }

    /// Lower-case hex of bytes. (`String(format:)` per byte costs microseconds each on Linux,
    /// and this runs on every authenticated request.)
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
