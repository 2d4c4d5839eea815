import Dialects
import Foundation
@testable import GatewayHTTP
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import IMSModel
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing

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
        config.backendInUse.path = directory.appendingPathComponent("ims.sqlite").path
        config.listen.port = 0
        if Lane.current == .postgres { try usePostgres() }
        // One index for the test's every run (a restart finds what the last run stored).
        if Lane.current == .glance { try useGlance() }
    }

    /// The postgres lane: the database of `IMS_PG_URL`, in a schema of this test's own (bytes
    /// stay in the test's directory).
    mutating func usePostgres() throws {
        guard let url = ProcessInfo.processInfo.environment["IMS_PG_URL"] else {
            throw GatewayStartError("IMS_LANE=postgres needs IMS_PG_URL (scripts/postgres start prints one)")
        }
        config.backendInUse.kind = .postgres
        config.backendInUse.url = url
        config.backendInUse.urlEnv = nil
        config.backendInUse.schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        config.backendInUse.maxConnections = 4
        // A test checks what is answered, not how fast this machine answers: at the shipped 5 s a
        // create on a CI machine running 80 tests at once was once answered 503 (tests of the
        // deadline itself set theirs).
        config.backendInUse.requestTimeoutMs = 120_000
    }

    /// The glance lane: a `glance` entry (the Glance of `IMS_GLANCE_URL`) over the store the
    /// gateway had (PostgreSQL in a schema of its own when `IMS_PG_URL` is set), and `use:` it.
    /// Its `path` is the index's, so `dataPath` stays in the test's directory.
    /// `url`: another Glance than `IMS_GLANCE_URL`'s (the one behind Keystone).
    mutating func useGlance(url given: String? = nil) throws {
        guard config.backendInUse.kind != .glance else { return }
        guard let url = given ?? ProcessInfo.processInfo.environment["IMS_GLANCE_URL"] else {
            throw GatewayStartError("IMS_LANE=glance needs IMS_GLANCE_URL (scripts/glance start prints one)")
        }
        if ProcessInfo.processInfo.environment["IMS_PG_URL"] != nil { try usePostgres() }
        var entry = BackendEntry(kind: .glance, path: config.backendInUse.path)
        entry.url = url
        entry.index = config.use
        // Each test's refs are its own: a Glance shared by every test and every run.
        entry.namespace = "test-" + UUID().uuidString.lowercased()
        config.backends["glance"] = entry
        config.use = "glance"
    }

    var dataPath: String { config.backendInUse.path }

    /// Which backend the gateway under test uses: `bundled`, or `remote` — a second gateway in
    /// bundled mode over a real socket (`IMS_LANE=remote` runs the whole suite that way), or
    /// `postgres` (`IMS_LANE=postgres IMS_PG_URL=…`: every gateway on PostgreSQL), or `2 gateways`:
    /// two gateways on one PostgreSQL schema and files directory, requests alternating between them;
    /// or `glance` (`IMS_GLANCE_URL`, with `IMS_PG_URL` for its index): images and bytes in Glance.
    enum Lane: String, Sendable, CaseIterable {
        case bundled, remote, postgres, twoGateways = "2 gateways", glance
        static var current: Lane { Lane(rawValue: ProcessInfo.processInfo.environment["IMS_LANE"] ?? "") ?? .bundled }
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }

    /// Runs `body` against a freshly built application (in-process router by default).
    func run<T: Sendable>(_ mode: TestingSetup = .router, lane: Lane = .current,
                          _ body: @Sendable (GatewayClient) async throws -> T) async throws -> T {
        switch lane {
        case .postgres where config.backendInUse.kind != .postgres, .twoGateways where config.backendInUse.kind != .postgres:
            var onPostgres = self
            try onPostgres.usePostgres()
            return try await onPostgres.run(mode, lane: lane, body)
        case .glance where config.backendInUse.kind != .glance:
            var onGlance = self
            try onGlance.useGlance()
            return try await onGlance.run(mode, lane: lane, body)
        case .twoGateways:
            let a = try buildApplication(config, parts: GatewayParts(dialects: Dialects.all), logger: Self.quietLogger)
            return try await a.test(mode) { first in
                let b = try buildApplication(config, parts: GatewayParts(dialects: Dialects.all), logger: Self.quietLogger)
                return try await b.test(mode) { second in try await body(GatewayClient(client: AlternatingClient(first, second))) }
            }
        case .bundled, .postgres, .glance:
            let app = try buildApplication(config, parts: GatewayParts(dialects: Dialects.all), logger: Self.quietLogger)
            return try await app.test(mode) { client in try await body(GatewayClient(client: client)) }
        case .remote:
            let back = try buildApplication(config, parts: GatewayParts(dialects: Dialects.all), logger: Self.quietLogger)
            return try await back.test(.live) { backClient in
                let front = try buildApplication(frontConfig(backendPort: backClient.port ?? 0),
                                                 parts: GatewayParts(dialects: Dialects.all), logger: Self.quietLogger)
                return try await front.test(mode) { client in try await body(GatewayClient(client: client)) }
            }
        }
    }

    /// A gateway in remote mode in front of the one at `backendPort`, with its own cache file.
    func frontConfig(backendPort: Int) -> GatewayConfig {
        var front = config
        front.backendInUse.kind = .remote
        front.backendInUse.url = "http://127.0.0.1:\(backendPort)"
        front.backendInUse.token = "gateway-demo-token"
        front.backendInUse.requestTimeoutMs = 5000
        return front
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

        /// The body as sent: its content type and bytes.
        func encoded() -> (contentType: String?, bytes: ByteBuffer?) {
            switch self {
            case .none: (nil, nil)
            case .json(let value): ("application/json", ByteBuffer(string: value.serialized))
            case .form(let pairs):
                ("application/x-www-form-urlencoded",
                 ByteBuffer(string: pairs.map { "\(GatewayClient.escape($0.0))=\(GatewayClient.escape($0.1))" }.joined(separator: "&")))
            case .raw(let text, let contentType): (contentType, ByteBuffer(string: text))
            }
        }
    }

    /// How a request proves who it is: by default the demo credential of the path's dialect
    /// (Config/credentials.yaml), as a configured legacy client would.
    enum Auth: Sendable {
        case automatic
        case none
    }

    /// The demo credentials of Config/credentials.yaml, by dialect.
    static func demoCredentials(for path: String) -> [String: String] {
        if path.hasPrefix("/api/image/v1") { return ["Authorization": "Bearer cec-demo-token"] }
        if path.hasPrefix("/api/") { return ["Authorization": "Basic " + Data("admin:changeme".utf8).base64EncodedString()] }
        if path.hasPrefix("/v2/zone/") { return ["X-Access-Key-Id": "AKIDDEMO", "X-Access-Key-Secret": "idc-demo-secret"] }
        if path.hasPrefix("/v1/") || path.hasPrefix("/applicationinstance/") {
            return ["HT-ACCESS-TOKEN": "ht-demo-access", "IMR-SESSION-TOKEN": "sess-demo", "IMR-SESSION-SECRET": "ht-demo-secret"]
        }
        return [:]
    }

    func send(_ method: HTTPRequest.Method, _ path: String, query: [(String, String)] = [],
              headers: [String: String] = [:], body: Body = .none, auth: Auth = .automatic) async throws -> Reply {
        var headers = headers
        let presents = headers.keys.contains { ["authorization", "ht-access-token", "x-access-key-id"].contains($0.lowercased()) }
        if case .automatic = auth, !presents {
            headers.merge(Self.demoCredentials(for: path)) { mine, _ in mine }
        }
        var uri = path
        if !query.isEmpty {
            uri += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let (contentType, buffer) = body.encoded()
        if let contentType { fields[.contentType] = contentType }
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

extension Trait where Self == ConditionTrait {
    /// A test that opens the bundled SQLite store of the gateway's data directory itself, so it
    /// does not apply when the gateway under test runs on PostgreSQL (or on Glance over it).
    static var sqliteStoreOnly: Self {
        .enabled(if: ![.postgres, .glance].contains(TestGateway.Lane.current), "opens the gateway's SQLite store directly")
    }
}

/// Sends each request to the next of two gateways in turn (the `2 gateways` lane).
final class AlternatingClient: TestClientProtocol, @unchecked Sendable {
    let clients: [any TestClientProtocol]
    private let next = NIOLockedValueBox(0)

    init(_ first: any TestClientProtocol, _ second: any TestClientProtocol) {
        clients = [first, second]
    }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        let index = next.withLockedValue { n in
            defer { n += 1 }
            return n % 2
        }
        return try await clients[index].executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    var port: Int? { clients[0].port }
}
