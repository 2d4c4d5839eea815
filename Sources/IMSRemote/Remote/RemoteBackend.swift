import AsyncHTTPClient
import Foundation
import IMSModel
import IMSService
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A canonical IMS reached over HTTP: another gateway's `/ims/v1` API. Connections are pooled.
/// Every call has one deadline (`requestTimeout`, retries included), so a dead, slow or garbled
/// backend becomes `.unavailable` (each dialect's 503) in time instead of a hang. Reads are
/// retried; mutations carry an idempotency key, so a retry, or the client's repeat after a
/// timeout, never runs one twice. Answers never name the backend or the HTTP client's errors:
/// those go to the log.
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
    let logger = Logger(label: "ims-gateway.remote")
    /// The backend's address for the log, without any user or password it may carry.
    let loggedURL: String
    /// Where a call's own task runs: nil for the global executor, the low-priority one for a
    /// shadow's secondary (`lowPriorityCopy`).
    let executor: (any TaskExecutor)?

    public convenience init(_ options: Options) {
        self.init(options, lowPriority: false)
    }

    init(_ options: Options, lowPriority: Bool) {
        self.options = options
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .init(min(options.connectTimeout, options.requestTimeout)),
                                      read: .init(options.requestTimeout))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        // A failed connect fails the requests waiting for it at once. Left on, the pool retries
        // connecting with a growing backoff while requests wait out the connect timeout, and once
        // the backend is back the front keeps answering 503 until the backoff (seconds, after a
        // while down) ends; our own retries, within the call's deadline, replace it.
        configuration.connectionPool.retryConnectionEstablishment = false
        let group = lowPriority ? LowPriorityExecutor.shared.eventLoopGroup : MultiThreadedEventLoopGroup.singleton
        client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        executor = lowPriority ? LowPriorityExecutor.shared : nil
        var address = URLComponents(string: options.url)
        address?.user = nil
        address?.password = nil
        loggedURL = address?.string ?? "(unparsable url)"
    }

    public var services: [any Service] {
        let client = client
        // Closes the client's pooled connections when the gateway shuts down.
        return [AtShutdown { try await client.shutdown() }]
    }

    /// The backend gateway is ready itself.
    public func unreadiness() async -> String? {
        do {
            let response = try await client.execute(HTTPClientRequest(url: options.url + "/readyz"), timeout: .init(options.requestTimeout))
            if response.status == .ok { return nil }
            logger.warning("backend not ready", metadata: ["backend": .string(loggedURL), "status": "\(response.status.code)"])
            return "backend not ready"
        } catch {
            logger.warning("backend unreachable", metadata: ["backend": .string(loggedURL), "error": .string("\(error)")])
            return "backend unreachable"
        }
    }

    public var forwardsRequestContext: Bool { true }

    /// Connections of their own on the low-priority loop, so the secondary's reads and writes
    /// wait for the requests the serving loops answer; its services close them.
    public func lowPriorityCopy() -> (any Backend)? { RemoteBackend(options, lowPriority: true) }

    /// Uploads go to the other gateway's S3 endpoint, which holds the objects; its records are
    /// read for a migration through its export.
    public var capabilities: BackendCapabilities { BackendCapabilities(uploadObjectsAt: options.url, exported: RemoteExport(backend: self)) }

    public func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult {
        try await execute(command, as: identity, minted: nil).result
    }

    /// The far side runs the command with `minted`'s values and answers the ones it used.
    public func execute(_ command: Command, as identity: Identity, minted: Minted?)
        async throws(CanonicalError) -> Executed
    {
        let started = ContinuousClock.now
        let mutates = !command.isReadOnly
        let key = IdempotencyKey.current
        var request = request("/ims/v1/execute", method: .POST, identity: identity)
        request.headers.add(name: "Content-Type", value: "application/json")
        if mutates { request.headers.add(name: "Idempotency-Key", value: key.key) }
        request.body = .bytes(CanonicalWire.body(CanonicalWire.Execute(command: command, minted: minted)))
        let attempts = RemoteAttempts()
        do {
            // The same deadline twice: the HTTP client's, kept by an event loop timer, ends a
            // request waiting for its head even when the task pool is busy; ours ends the rest.
            let deadline = NIODeadline.now() + .init(options.requestTimeout)
            return try await withDeadline(started + options.requestTimeout, on: executor) { [self, request] in
                try await answer(to: request, attempts: attempts, deadline: deadline)
            }
        } catch let error as CanonicalError {
            throw error
        } catch {
            let timedOut = error is DeadlineExceeded
            logger.warning("backend call failed", metadata: [
                "backend": .string(loggedURL), "request_id": .string(RequestIDs.current ?? ""),
                "error": .string(timedOut ? "no answer within the request timeout" + (attempts.lastError.map { " (last: \($0))" } ?? "") : attempts.lastError ?? ""),
                "elapsed_ms": "\(Int((ContinuousClock.now - started) / .milliseconds(1)))",
            ])
            throw Self.unavailable(mutates: mutates, maybeReceived: attempts.maybeReceived, key: key)
        }
    }

    /// The backend's answer, trying again after a failure that left no answer (`retries` times).
    private func answer(to request: HTTPClientRequest, attempts: RemoteAttempts, deadline: NIODeadline) async throws
        -> Executed
    {
        for attempt in 0...max(0, options.retries) {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(25 << min(attempt, 4))) }
            attempts.starting()
            do {
                let response = try await client.execute(request, deadline: deadline)
                let bytes = try await response.body.collect(upTo: 256 << 20)
                let answer = try JSONValueDecoder().decode(CanonicalWire.Answer.self, from: bytes.readableBytesView)
                if let error = answer.error { throw error }
                guard let result = answer.result else { throw GarbledAnswer(status: response.status.code) }
                // A backend that predates `Minted` answers none: nothing it used is known.
                return Executed(result, minted: answer.minted ?? Minted())
            } catch let error as CanonicalError {
                throw error
            } catch {
                // Cancelled at the deadline: the attempt stays in flight, its outcome unknown.
                if Task.isCancelled { throw error }
                attempts.failed(error)
                // A backend too slow to answer is not asked again: the retry could not finish in time.
                if let error = error as? HTTPClientError, [.readTimeout, .deadlineExceeded].contains(error) { throw error }
            }
        }
        throw AttemptsExhausted()
    }

    /// An answer in the canonical shape with neither a result nor an error.
    struct GarbledAnswer: Error {
        var status: UInt
    }

    struct AttemptsExhausted: Error {}

    /// The dialects' 503, saying plainly what the client can know. A mutation that may have
    /// reached the backend may have been made: the client learns which by sending it again with
    /// the same key.
    static func unavailable(mutates: Bool, maybeReceived: Bool, key: (key: String, fromClient: Bool)) -> CanonicalError {
        guard mutates else { return .unavailable("the image service is unavailable; try again later") }
        guard maybeReceived else { return .unavailable("the image service is unavailable; nothing was changed") }
        let repeatWith = key.fromClient ? "the same Idempotency-Key" : "the header Idempotency-Key: \(key.key)"
        return .unavailable("the image service gave no usable answer in time; the change may have been made. "
            + "Send the request again with \(repeatWith) to get its outcome without making it twice")
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
            logger.warning("backend transfer failed", metadata: ["backend": .string(loggedURL), "error": .string("\(error)")])
            throw .unavailable("the image service is unavailable; try again later")
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
            logger.warning("backend transfer failed", metadata: ["backend": .string(loggedURL), "error": .string("\(error)")])
            throw .unavailable("the image service is unavailable; try again later")
        }
    }

    func request(_ path: String, method: HTTPMethod, identity: Identity?) -> HTTPClientRequest {
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
}
