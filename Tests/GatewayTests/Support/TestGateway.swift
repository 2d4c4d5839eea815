import Dialects
import Foundation
import GatewayCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// A gateway on its own temporary data directory, built from the repository's real
/// `Config/ims-gateway.yaml` and route files.
struct TestGateway {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let directory: URL
    var config: GatewayConfig

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ims-gateway-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        config = try GatewayConfig.load(path: Self.repoRoot.appendingPathComponent("Config/ims-gateway.yaml").path)
        config.backend.dataPath = directory.appendingPathComponent("ims.sqlite").path
        config.listen.port = 0
    }

    var dataPath: String { config.backend.dataPath }

    /// Runs `body` against a freshly built application (in-process router by default).
    func run<T: Sendable>(_ mode: TestingSetup = .router, _ body: @Sendable (GatewayClient) async throws -> T) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = try buildApplication(config, parts: GatewayParts(dialects: Dialects.all), logger: logger)
        return try await app.test(mode) { client in try await body(GatewayClient(client: client)) }
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A reply with its body parsed as JSON when it is JSON.
struct Reply: Sendable {
    var status: Int
    var json: JSONValue?
    var text: String
    var headers: HTTPFields

    subscript(key: String) -> JSONValue? { json?[key] }
}

struct GatewayClient: Sendable {
    let client: any TestClientProtocol

    enum Body: Sendable {
        case none
        case json(JSONValue)
        case form([(String, String)])
        case raw(String, contentType: String? = nil)
    }

    func send(_ method: HTTPRequest.Method, _ path: String, query: [(String, String)] = [],
              headers: [String: String] = [:], body: Body = .none) async throws -> Reply {
        var uri = path
        if !query.isEmpty {
            uri += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        var buffer: ByteBuffer?
        switch body {
        case .none: break
        case .json(let value):
            fields[.contentType] = "application/json"
            buffer = ByteBuffer(string: value.serialized)
        case .form(let pairs):
            fields[.contentType] = "application/x-www-form-urlencoded"
            buffer = ByteBuffer(string: pairs.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&"))
        case .raw(let text, let contentType):
            if let contentType { fields[.contentType] = contentType }
            buffer = ByteBuffer(string: text)
        }
        let response = try await client.execute(uri: uri, method: method, headers: fields, body: buffer)
        let text = String(buffer: response.body)
        return Reply(status: Int(response.status.code), json: JSONValue.parse(Array(text.utf8)), text: text,
                     headers: response.headers)
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
