import Dialects
import Foundation
@testable import GatewayHTTP
@testable import IMSModel
import Testing

/// Credentials whose secret a signing scheme needs: named by environment variable or file,
/// never written in the credentials file, and never echoed by a start-up error.
@Suite struct SecretSourceTests {
    static func load(_ entry: String, files: [String: String] = [:]) throws -> CredentialStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ims-cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let file = folder.appendingPathComponent("credentials.yaml")
        try "credentials:\n  - \(entry)\n".write(to: file, atomically: true, encoding: .utf8)
        return try CredentialStore.load(path: file.path, dialects: DialectRegistry(Dialects.all + [SigningDialect()]))
    }

    /// A dialect whose clients sign requests with their secret, as a dialect file naming an
    /// HMAC scheme is.
    struct SigningDialect: Dialect {
        let id: DialectID = "signing"
        var authScheme: (any AuthScheme)? { AuthSchemes.all.first }
        func decode(_ request: DialectRequest) throws(CanonicalError) -> Decoded { throw .unauthorized("") }
        func encode(_ result: CommandResult, for echo: Echo) throws(CanonicalError) -> DialectResponse { throw echo.unexpected(result, in: id) }
        func encode(_ error: CanonicalError, for request: DialectRequest) -> DialectResponse { DialectResponse(body: nil) }
        func credential(_ request: DialectRequest) -> PresentedCredential? { nil }
    }

    static func startError(_ entry: String, files: [String: String] = [:]) -> String {
        do {
            _ = try load(entry, files: files)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test func aSecretFromTheEnvironmentOrAFileIsKeptForSigning() throws {
        let variable = "IMS_TEST_SECRET_\(UUID().uuidString.prefix(8))"
        setenv(variable, "from-the-environment", 1)
        defer { unsetenv(variable) }
        let byEnv = try Self.load("{dialect: idc51, id: AKENV, secret_env: \(variable), user: u1, tenant: t1}")
        #expect(byEnv.signingSecret(.idc51, id: "AKENV")?.key == Array("from-the-environment".utf8))
        #expect(byEnv.signingSecret(.idc51, id: "AKENV")?.identity == Identity(user: "u1", tenant: "t1"))
        let byFile = try Self.load("{dialect: idc51, id: AKFILE, secret_file: s.txt, user: u2, tenant: t2}",
                                   files: ["s.txt": "from-a-file\r\n"])
        #expect(byFile.signingSecret(.idc51, id: "AKFILE")?.key == Array("from-a-file".utf8))
        #expect(byFile.signingSecret(.idc51, id: "AKOTHER") == nil)
    }

    @Test func aSigningDialectsCredentialMustNameItsSecretNotAHash() throws {
        let hashed = Self.startError("{dialect: signing, id: AK, secret_sha256: \(String(repeating: "a", count: 64)), user: u, tenant: t}")
        #expect(hashed.contains("secret_env"), "\(hashed)")
        let named = try Self.load("{dialect: signing, id: AK, secret_file: k, user: u, tenant: t}", files: ["k": "key"])
        #expect(named.signingSecret("signing", id: "AK")?.key == Array("key".utf8))
    }

    @Test func aPlainSecretIsRefusedAtStartWithoutBeingRepeated() {
        let error = Self.startError("{dialect: idc51, id: AK, secret: plain-text-secret, user: u, tenant: t}")
        #expect(error.contains("secret_env") && !error.contains("plain-text-secret"), "\(error)")
    }

    @Test func anUnsetVariableOrMissingFileStopsTheStart() {
        let unset = Self.startError("{dialect: idc51, id: AK, secret_env: IMS_TEST_NEVER_SET_VARIABLE, user: u, tenant: t}")
        #expect(unset.contains("IMS_TEST_NEVER_SET_VARIABLE"), "\(unset)")
        let missing = Self.startError("{dialect: idc51, id: AK, secret_file: nowhere.txt, user: u, tenant: t}")
        #expect(missing.contains("nowhere.txt"), "\(missing)")
        let empty = Self.startError("{dialect: idc51, id: AK, secret_file: e.txt, user: u, tenant: t}", files: ["e.txt": "\n"])
        #expect(empty.contains("empty"), "\(empty)")
        let both = Self.startError("{dialect: idc51, id: AK, secret_file: e.txt, secret_sha256: \(String(repeating: "a", count: 64)), user: u, tenant: t}",
                                   files: ["e.txt": "x"])
        #expect(both.contains("exactly one"), "\(both)")
        let password = Self.startError("{dialect: foreman, id: admin, secret_file: p.txt, user: u, tenant: t}", files: ["p.txt": "pw"])
        #expect(password.contains("bcrypt") && !password.contains("pw\""), "\(password)")
    }
}
