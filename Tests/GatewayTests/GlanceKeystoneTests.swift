import AsyncHTTPClient
import Foundation
@testable import GatewayHTTP
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreGlance
import NIOCore
import Testing

/// Glance behind a real Keystone (scripts/keystone, and `GLANCE_AUTH=keystone scripts/glance`):
/// the client's application-credential tokens, cached, and taken again after a 401; and a
/// gateway whose glance entry has `keystone:`.
@Suite(.enabled(if: KeystoneLive.enabled,
                "needs IMS_KEYSTONE_URL and IMS_GLANCE_KEYSTONE_URL (scripts/keystone start; GLANCE_AUTH=keystone scripts/glance start)"))
struct GlanceKeystoneTests {
    @Test func theClientUsesOneTokenUntilGlanceRefusesItThenAuthenticatesAgain() async throws {
        let gateway = try KeystoneLive.credential(project: "ims-gateway", roles: "admin,member,reader")
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await http.shutdown() } }
        let tokens = KeystoneTokens(url: KeystoneLive.keystone!, credentials: [gateway.project: gateway.credential], http: http)
        let glance = GlanceClient(url: KeystoneLive.glance!, http: http, auth: .keystone(tokens))
        // User and roles are the credential's: what the caller says besides its project is not sent.
        let caller = GlanceCaller(userId: "not-sent", projectId: gateway.project, roles: [])

        let name = "ks-" + RandomID.make(length: 8).lowercased()
        let made = try await glance.create(["name": .string(name), "disk_format": "raw", "container_format": "bare"], as: caller)
        #expect(made.json["owner"]?.stringValue == gateway.project)
        let bytes = ByteBuffer(string: String(repeating: "behind keystone\n", count: 64))
        try await glance.upload(made.id, body: GlanceLive.Chunks([bytes]), length: Int64(bytes.readableBytes), as: caller)
        var back = ByteBuffer()
        try await glance.download(made.id, as: caller) { chunk in var chunk = chunk; back.writeBuffer(&chunk) }
        #expect(back == bytes)
        #expect(try await glance.list(filters: ["name": name], as: caller).images.map(\.id) == [made.id])
        #expect(await tokens.issued == 1)

        // Keystone revokes the token: Glance answers 401, the client takes a new one and the call succeeds.
        try await KeystoneLive.revoke(try await tokens.token(for: gateway.project), http: http)
        #expect(try await glance.image(made.id, as: caller)?.status == "active")
        #expect(await tokens.issued == 2)
        #expect(try await glance.delete(made.id, as: caller))

        // This Glance takes no trusted headers, and a wrong secret gets no token.
        do {
            _ = try await GlanceClient(url: KeystoneLive.glance!, http: http).list(limit: 1, as: caller)
            Issue.record("trusted headers were taken")
        } catch let error as GlanceError {
            #expect(error.status == 401)
        }
        let wrong = KeystoneTokens(url: KeystoneLive.keystone!, credentials: [gateway.project: ApplicationCredential(id: gateway.credential.id, secret: "wrong-secret")], http: http)
        do {
            _ = try await wrong.token(for: gateway.project)
            Issue.record("a wrong secret got a token")
        } catch let error as KeystoneError {
            #expect(error.status == 401 && !"\(error)".contains("wrong-secret"))
        }
    }

    /// A gateway configured with `keystone:`: Foreman's POST makes the image in Glance, owned by
    /// the tenant's mapped project; the secret comes from a file and shows up nowhere.
    @Test func aGatewayWithAKeystoneEntryWritesToGlanceWithTokens() async throws {
        let gatewayCredential = try KeystoneLive.credential(project: "ims-gateway", roles: "admin,member,reader")
        let tenant = try KeystoneLive.credential(project: "ims-default", roles: "member,reader")
        var gateway = try TestGateway()
        defer { gateway.remove() }
        try gateway.useGlance(url: KeystoneLive.glance!)
        let secretFile = gateway.directory.appendingPathComponent("keystone-secret")
        try gatewayCredential.credential.secret.write(to: secretFile, atomically: true, encoding: .utf8)
        gateway.config.backends["glance"]?.project = gatewayCredential.project
        // Foreman's demo credential is of the tenant `default`.
        gateway.config.backends["glance"]?.projects = ["default": tenant.project]
        gateway.config.backends["glance"]?.keystone = GlanceKeystoneEntry(url: KeystoneLive.keystone!, applicationCredentials: [
            gatewayCredential.project: .init(id: gatewayCredential.credential.id, secretFile: secretFile.path),
        ])
        let name = "ks-gw-" + RandomID.make(length: 6).lowercased()
        try await gateway.run(lane: .bundled) { client in
            let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json([
                "image": ["name": .string(name), "username": "cloud-user", "uuid": .string(UUID().uuidString)],
            ]))
            #expect(made.status == 201, "\(made.text)")
            #expect(!made.text.contains(gatewayCredential.credential.secret))
            let metrics = try await client.send(.get, "/metrics", auth: .none)
            #expect(!metrics.text.contains(gatewayCredential.credential.secret))
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await http.shutdown() } }
        let tokens = KeystoneTokens(url: KeystoneLive.keystone!, credentials: [gatewayCredential.project: gatewayCredential.credential], http: http)
        let glance = GlanceClient(url: KeystoneLive.glance!, http: http, auth: .keystone(tokens))
        let found = try await glance.list(filters: ["name": name], as: GlanceCaller(userId: "", projectId: gatewayCredential.project, roles: []))
        let image = try #require(found.images.first, "the Foreman image is not in Glance")
        #expect(image.json["owner"]?.stringValue == tenant.project)
        #expect(image.json["os_admin_user"] == "cloud-user")
        #expect(!"\(image.json)".contains(gatewayCredential.credential.secret))
    }
}

/// The Keystone lane's servers, and credentials made in it by scripts/keystone.
enum KeystoneLive {
    static let keystone = ProcessInfo.processInfo.environment["IMS_KEYSTONE_URL"]
    static let glance = ProcessInfo.processInfo.environment["IMS_GLANCE_KEYSTONE_URL"]
    static var enabled: Bool { keystone != nil && glance != nil }

    /// `scripts/keystone credential PROJECT ROLES`: the project's id and an application
    /// credential of a user with those roles in it (made once per Keystone, then reused).
    static func credential(project: String, roles: String) throws -> (project: String, credential: ApplicationCredential) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/keystone")
        process.arguments = ["credential", project, roles]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let json = JSONValue.parse(Array(data)),
              let projectId = json["project_id"]?.stringValue, let id = json["id"]?.stringValue, let secret = json["secret"]?.stringValue
        else { throw KeystoneError(status: Int(process.terminationStatus), message: "scripts/keystone credential failed") }
        return (projectId, ApplicationCredential(id: id, secret: secret))
    }

    /// `DELETE /v3/auth/tokens`: the token revokes itself.
    static func revoke(_ token: String, http: HTTPClient) async throws {
        var request = HTTPClientRequest(url: keystone! + "/v3/auth/tokens")
        request.method = .DELETE
        request.headers.add(name: "X-Auth-Token", value: token)
        request.headers.add(name: "X-Subject-Token", value: token)
        let response = try await http.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 204 else { throw KeystoneError(status: Int(response.status.code), message: "revoke") }
    }
}
