import AsyncHTTPClient
import Foundation
import IMSModel
import NIOCore
import NIOHTTP1

/// Keystone refused or failed a token request; its words, never the secret.
public struct KeystoneError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var description: String { "Keystone answered \(status): \(message)" }
}

/// The tokens the Glance client sends, one per Glance project it acts as, each from that
/// project's application credential: taken with `POST /v3/auth/tokens`, kept until shortly
/// before they expire (`KeystoneToken.fresh`), dropped when Glance answers 401. Concurrent
/// callers wanting the same project's token share one request.
public actor KeystoneTokens {
    /// `…/v3/auth/tokens` of the Keystone given (its base URL, with or without `/v3`).
    public nonisolated let tokensURL: String
    let credentials: [String: ApplicationCredential]
    let http: HTTPClient
    private var cached: [String: (token: KeystoneToken, issuedAt: Date)] = [:]
    private var pending: [String: Task<KeystoneToken, any Error>] = [:]
    /// Tokens taken from Keystone so far (tests see the cache work).
    public private(set) var issued = 0

    /// `credentials`: by the Glance project each is scoped to.
    public init(url: String, credentials: [String: ApplicationCredential], http: HTTPClient) {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v3") { base.removeLast(3) }
        tokensURL = base + "/v3/auth/tokens"
        self.credentials = credentials
        self.http = http
    }

    public nonisolated var projects: Set<String> { Set(credentials.keys) }

    /// A token for `project` that is fresh now.
    public func token(for project: String) async throws -> String {
        if let (token, issuedAt) = cached[project], token.fresh(at: Date(), issuedAt: issuedAt) { return token.value }
        if let task = pending[project] { return try await task.value.value }
        guard let credential = credentials[project] else {
            throw KeystoneError(status: 0, message: "no application credential for the Glance project \(project)")
        }
        let (url, http) = (tokensURL, http)
        let task = Task { try await Self.authenticate(credential, url: url, http: http) }
        pending[project] = task
        defer { pending[project] = nil }
        let issuedAt = Date()
        let token = try await task.value
        cached[project] = (token, issuedAt)
        issued += 1
        return token.value
    }

    /// Glance answered 401 to `value`: it is not used again (a newer one is kept).
    public func rejected(_ value: String, project: String) {
        if cached[project]?.token.value == value { cached[project] = nil }
    }

    static func authenticate(_ credential: ApplicationCredential, url: String, http: HTTPClient) async throws -> KeystoneToken {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        var body = ByteBuffer()
        KeystoneToken.requestBody(id: credential.id, secret: credential.secret).write(into: &body)
        request.body = .bytes(body)
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 4 << 20)
        let json = JSONValue.parse(bytes.readableBytesView)
        guard response.status == .created else {
            // Keystone's errors: {"error": {"code": 401, "message": "…", "title": "Unauthorized"}}.
            let message = json?["error"]?["message"]?.stringValue ?? String(buffer: bytes).prefix(200).description
            throw KeystoneError(status: Int(response.status.code), message: "\(credential): \(message)")
        }
        guard let token = KeystoneToken.parse(subjectToken: response.headers.first(name: "X-Subject-Token"), body: json) else {
            throw KeystoneError(status: Int(response.status.code), message: "an answer without X-Subject-Token or token.expires_at")
        }
        return token
    }
}
