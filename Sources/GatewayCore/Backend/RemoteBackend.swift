import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// A canonical IMS reached over HTTP: another gateway's `/ims/v1` API. Connections are pooled;
/// every call has a deadline, so a dead or slow backend becomes `.unavailable` (each dialect's
/// 5xx) instead of a hang. Only read-only commands are retried.
public final class RemoteBackend: Backend {
    public struct Options: Sendable {
        public var url: String
        public var token: String
        public var connectTimeout: Duration = .seconds(1)
        public var requestTimeout: Duration = .seconds(10)
        public var retries: Int = 2

        public init(url: String, token: String) {
            self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
            self.token = token
        }
    }

    let options: Options
    let client: HTTPClient

    public init(_ options: Options) {
        self.options = options
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .init(options.connectTimeout), read: .init(options.requestTimeout))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public var services: [any Service] { [ClientShutdown(client: client)] }

    /// The backend gateway is ready itself.
    public func unreadiness() async -> String? {
        do {
            let response = try await client.execute(HTTPClientRequest(url: options.url + "/readyz"), timeout: .init(options.requestTimeout))
            return response.status == .ok ? nil : "backend \(options.url) not ready (HTTP \(response.status.code))"
        } catch {
            return "backend \(options.url) unreachable: \(error)"
        }
    }

    public func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult {
        let body = CanonicalWire.body(CanonicalWire.Execute(command: command))
        let attempts = command.isReadOnly ? options.retries + 1 : 1
        var lastError = ""
        for attempt in 1...attempts {
            var request = request("/ims/v1/execute", method: .POST, identity: identity)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
            do {
                let response = try await client.execute(request, timeout: .init(options.requestTimeout))
                let bytes = try await response.body.collect(upTo: 256 << 20)
                let answer = try JSONValueDecoder().decode(CanonicalWire.Answer.self, from: bytes.readableBytesView)
                if let error = answer.error { throw error }
                guard let result = answer.result else { throw CanonicalError.internal("the backend answered nothing") }
                return result
            } catch let error as CanonicalError {
                throw error
            } catch is DecodingError {
                throw .internal("the backend at \(options.url) does not speak the canonical API")
            } catch {
                lastError = "\(error)"
                if attempt < attempts { try? await Task.sleep(for: .milliseconds(25 << attempt)) }
            }
        }
        throw .unavailable("backend \(options.url) unavailable: \(lastError)")
    }

    public func upload(imageId: String, token: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable)
        async throws(CanonicalError) -> UploadTicket
    {
        let path = "/ims/v1/uploads/\(imageId)?token=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        var request = request(path, method: .PUT, identity: nil)
        request.body = .stream(body, length: .unknown)
        do {
            let response = try await client.execute(request, timeout: .hours(6))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else { throw Self.decodeError(bytes) }
            let stored = try JSONValueDecoder().decode(Stored.self, from: bytes.readableBytesView)
            return UploadTicket(imageId: stored.imageId, uploadId: stored.uploadId, token: token, size: 0)
        } catch let error as CanonicalError {
            throw error
        } catch {
            throw .unavailable("backend \(options.url) unavailable: \(error)")
        }
    }

    public func download(_ selector: ImageSelector, as identity: Identity) async throws(CanonicalError) -> ImageDownload {
        let ref = selector.ref.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/"))) ?? selector.ref
        let request = request("/ims/v1/images/\(ref)/file", method: .GET, identity: identity)
        do {
            let response = try await client.execute(request, timeout: .init(options.requestTimeout))
            guard response.status == .ok else {
                throw Self.decodeError(try await response.body.collect(upTo: 1 << 20))
            }
            let size = response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
            let checksum = response.headers.first(name: "X-Checksum-Md5") ?? ""
            let body = response.body
            return ImageDownload(size: size, checksum: checksum) { emit in
                for try await chunk in body { try await emit(chunk) }
            }
        } catch let error as CanonicalError {
            throw error
        } catch {
            throw .unavailable("backend \(options.url) unavailable: \(error)")
        }
    }

    private func request(_ path: String, method: HTTPMethod, identity: Identity?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: options.url + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(options.token)")
        if let identity, let json = try? JSONValueEncoder().encode(identity) {
            request.headers.add(name: "X-IMS-Identity", value: json.serialized)
        }
        if let requestId = RequestIDs.current { request.headers.add(name: "X-Request-Id", value: requestId) }
        return request
    }

    struct Stored: Decodable {
        var imageId: String
        var uploadId: String
    }

    private static func decodeError(_ bytes: ByteBuffer) -> CanonicalError {
        (try? JSONValueDecoder().decode(CanonicalWire.Answer.self, from: bytes.readableBytesView))?.error ?? .internal("unexpected answer from the backend")
    }

    /// Closes the client's pooled connections when the gateway shuts down.
    struct ClientShutdown: Service {
        let client: HTTPClient

        func run() async throws {
            try? await gracefulShutdown()
            try await client.shutdown()
        }
    }
}
