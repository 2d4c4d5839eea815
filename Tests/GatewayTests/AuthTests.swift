import Dialects
import Foundation
@testable import GatewayHTTP
@testable import IMSModel
@testable import IMSService
import Testing

/// Credentials per dialect, tenancy and the token cache.
@Suite struct AuthTests {
    /// The dialect's answer to a request with no or a wrong credential.
    static func rejected(_ dialect: DialectID, _ reply: Reply) -> Bool {
        switch dialect {
        case .foreman: reply.status == 401 && reply["error"]?["message"]?.stringValue?.hasPrefix("Unable to authenticate") == true
        case .cecstack: reply.status == 400 && reply["code"] == "IMG.OperationDenied.AuthFail"
        case .idc51: reply.status == 401 && reply["ret_code"] == 1200
        case .htaiyun: reply.status == 403 && reply.json == ["status": 403, "message": "access denied"]
        default: false
        }
    }

    @Test func everyRouteRejectsAMissingOrWrongCredential() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let routes = try gateway.config.routeTable(dialects: DialectRegistry(Dialects.all)).routes.filter { $0.operation != .document }
        #expect(routes.count > 60)
        try await gateway.run { client in
            for route in routes {
                let path = route.template.split(separator: "/", omittingEmptySubsequences: false).map { part in
                    part.hasPrefix("{") ? (part == "{zone}" ? "ac1" : "1") : String(part)
                }.joined(separator: "/")
                let region = ["x-regionid": "r0"]
                let none = try await client.send(route.method, path, headers: region, body: .json([:]), auth: .none)
                #expect(Self.rejected(route.dialect, none), "\(route.method) \(route.template) without a credential: \(none.status) \(none.text)")
                var wrong = GatewayClient.demoCredentials(for: path).mapValues { _ in "wrong" }
                wrong.merge(region) { a, _ in a }
                if route.dialect == .foreman { wrong["Authorization"] = "Basic " + Data("admin:wrong".utf8).base64EncodedString() }
                if route.dialect == .cecstack { wrong["Authorization"] = "Bearer wrong" }
                let bad = try await client.send(route.method, path, headers: wrong, body: .json([:]), auth: .none)
                #expect(Self.rejected(route.dialect, bad), "\(route.method) \(route.template) with a wrong credential: \(bad.status) \(bad.text)")
            }
            // Foreman's apidoc is public, as it is on Foreman.
            #expect(try await client.send(.get, "/apidoc/v2.json", auth: .none).status == 200)
        }
    }

    @Test func htaiyunTakesTheSessionAsHeadersOrBasic() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let basic = "Basic " + Data("sess-demo:ht-demo-secret".utf8).base64EncodedString()
            let ok = try await client.send(.get, "/v1/openstack/image/application/list",
                                           headers: ["HT-ACCESS-TOKEN": "ht-demo-access", "Authorization": basic])
            #expect(ok.status == 200)
            let noAccessToken = try await client.send(.get, "/v1/openstack/image/application/list", headers: ["Authorization": basic])
            #expect(Self.rejected(.htaiyun, noAccessToken))
            let idc = try await client.send(.get, "/v2/zone/ac1/images", headers: ["Authorization": "51IDC AKIDDEMO:idc-demo-secret"])
            #expect(idc.status == 200)
        }
    }

    static func bearer(_ token: String) -> [String: String] { ["x-regionid": "r0", "Authorization": "Bearer \(token)"] }

    @Test func tenantsSeeOnlyTheirOwnAndWhatIsSharedWithThem() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let tenantA = Self.bearer("cec-tenant-a-token"), tenantB = Self.bearer("cec-tenant-b-token")
            let lptest = Self.bearer("cec-lptest-token")
            let created = try await client.send(.post, "/api/image/v1/private-images", headers: tenantA, body: .json(.object(BadInputTests.cecCreate)))
            let imageId = try #require(lookup(created.json!, "data.imageId")?.stringValue)
            #expect(lookup(created.json!, "data.owner") == "7074631167042813952")

            // Another tenant cannot read, change or delete it, nor see it listed.
            #expect(try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: tenantB)["code"] == "IMG.DBGet.NoData")
            let update = ["bootMode": "UEFI", "cpuArch": "arm", "diskFormat": "qcow2", "instruction": "64-bits", "minDisk": 20,
                          "minRam": 1024, "name": "stolen", "osType": "linux", "osVersion": "x", "platform": "kylin"] as JSONValue
            #expect(try await client.send(.put, "/api/image/v1/private-images/\(imageId)", headers: tenantB, body: .json(update))["code"]
                    == "IMG.DBGet.NoData")
            #expect(try await client.send(.delete, "/api/image/v1/private-images/\(imageId)", headers: tenantB)["code"] == "IMG.DBGet.NoData")
            let listB = try await client.send(.get, "/api/image/v1/private-images", query: [("current", "1"), ("size", "10")], headers: tenantB)
            #expect(lookup(listB.json!, "data.total") == 0)
            #expect(lookup(try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: tenantA).json!, "data.name") == "ok")

            // Shared with lptest: readable, not deletable.
            #expect(try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: lptest)["code"] == "IMG.DBGet.NoData")
            let shared = try await client.send(.post, "/api/image/v1/private-images/\(imageId)/share", headers: tenantA,
                                               body: .json(["shares": ["user_ids": ["7085524801413873664"]]]))
            #expect(shared["code"] == "Success")
            #expect(lookup(try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: lptest).json!, "data.name") == "ok")
            let received = try await client.send(.get, "/api/image/v1/shared-images", headers: lptest)
            #expect(lookup(received.json!, "data.total") == 1)
            #expect(lookup(try await client.send(.get, "/api/image/v1/shared-images", headers: tenantB).json!, "data.total") == 0)
            let delete = try await client.send(.delete, "/api/image/v1/private-images/\(imageId)", headers: lptest)
            #expect(delete["code"] == "IMG.OperationDenied.Identity")
            let change = try await client.send(.put, "/api/image/v1/private-images/\(imageId)", headers: lptest, body: .json(update))
            #expect(change["code"] == "IMG.OperationDenied.Identity")
            #expect(lookup(try await client.send(.get, "/api/image/v1/images/\(imageId)", headers: tenantA).json!, "data.name") == "ok")
        }
    }
}

/// The credential cache: a verified credential is remembered in memory for the TTL, and the
/// cache stays within its bound. Passwords (Foreman) are bcrypt hashes; machine tokens SHA-256.
@Suite struct TokenCacheTests {
    static func credentialsFile(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("credentials-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Foreman's `ops` with the password "changeme" as bcrypt (cost 10), from a credentials file
    /// of its own (the caller removes `file`).
    static func opsWithABcryptPassword() throws -> (store: CredentialStore, file: String) {
        let hash = "$2b$10$wUbDD1kCCK4NoznkJ118nOfGPJ/RAH7t0FfL78juali55xti63/hu"
        let file = try credentialsFile("credentials:\n  - {dialect: foreman, id: ops, secret_bcrypt: \"\(hash)\", user: u1, tenant: t1}\n")
        return (try CredentialStore.load(path: file, dialects: DialectRegistry(Dialects.all)), file)
    }

    @Test func aRevokedCredentialWorksUntilTheTTLEndsThenStops() async throws {
        let granted = try Self.credentialsFile("credentials:\n  - {dialect: idc51, id: ops, secret_sha256: \(Secrets.sha256Hex("s3cret")), user: u1, tenant: t1}\n")
        let revoked = try Self.credentialsFile("credentials: []\n")
        defer { for path in [granted, revoked] { try? FileManager.default.removeItem(atPath: path) } }
        let presented = PresentedCredential(dialect: .idc51, id: "ops", secret: "s3cret")
        let cache = TokenCache(ttl: 3600, maxEntries: 10)

        let first = Authenticator(store: try CredentialStore.load(path: granted, dialects: DialectRegistry(Dialects.all)), cache: cache)
        #expect(try await first.identity(for: presented) == Identity(user: "u1", tenant: "t1"))
        await #expect(throws: CanonicalError.self) { try await first.identity(for: PresentedCredential(dialect: .idc51, id: "ops", secret: "nope")) }

        // Revoked in the credentials file; the cached decision still stands…
        let later = Authenticator(store: try CredentialStore.load(path: revoked, dialects: DialectRegistry(Dialects.all)), cache: cache)
        #expect(try await later.identity(for: presented) == Identity(user: "u1", tenant: "t1"))
        // …until the TTL is over (read an hour and a second later), when the store says no.
        #expect(cache.identity(for: presented.lookupKey, now: Date().addingTimeInterval(3601)) == nil)
        let noCache = Authenticator(store: try CredentialStore.load(path: revoked, dialects: DialectRegistry(Dialects.all)), cache: nil)
        await #expect(throws: CanonicalError.self) { try await noCache.identity(for: presented) }
    }

    @Test func foremanPasswordsAreBcryptHashes() async throws {
        let hash = "$2b$10$wUbDD1kCCK4NoznkJ118nOfGPJ/RAH7t0FfL78juali55xti63/hu"  // "changeme", cost 10
        let file = try Self.credentialsFile("credentials:\n  - {dialect: foreman, id: ops, secret_bcrypt: \"\(hash)\", user: u1, tenant: t1}\n")
        let unsalted = try Self.credentialsFile("credentials:\n  - {dialect: foreman, id: ops, secret_sha256: \(Secrets.sha256Hex("changeme")), user: u1, tenant: t1}\n")
        defer { for path in [file, unsalted] { try? FileManager.default.removeItem(atPath: path) } }
        let cache = TokenCache(ttl: 60, maxEntries: 10)
        let auth = Authenticator(store: try CredentialStore.load(path: file, dialects: DialectRegistry(Dialects.all)), cache: cache)
        #expect(try await auth.identity(for: PresentedCredential(dialect: .foreman, id: "ops", secret: "changeme")) == Identity(user: "u1", tenant: "t1"))
        #expect(cache.count == 1, "the verified password is cached, so the next request does not pay bcrypt")
        await #expect(throws: CanonicalError.self) { try await auth.identity(for: PresentedCredential(dialect: .foreman, id: "ops", secret: "changemE")) }
        await #expect(throws: CanonicalError.self) { try await auth.identity(for: PresentedCredential(dialect: .foreman, id: "other", secret: "changeme")) }
        #expect(cache.count == 1, "refusals are not cached")
        // An unsalted fast hash is refused for a password at load, with what to do instead.
        #expect { try CredentialStore.load(path: unsalted, dialects: DialectRegistry(Dialects.all)) } throws: { "\($0)".contains("secret_bcrypt") }
    }

    @Test func aFloodOfWrongPasswordsIsRefusedNotQueued() async throws {
        let (store, file) = try Self.opsWithABcryptPassword()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let auth = Authenticator(store: store, cache: TokenCache(ttl: 60, maxEntries: 10))
        let outcomes = await withTaskGroup(of: String.self) { group in
            for i in 0..<(CredentialStore.maxPendingChecks * 3) {
                group.addTask {
                    do {
                        _ = try await auth.identity(for: PresentedCredential(dialect: .foreman, id: "ops", secret: "wrong-\(i)"))
                        return "verified"
                    } catch {
                        return (error as? CanonicalError)?.kind ?? "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes["verified"] == nil)
        #expect((outcomes["unavailable"] ?? 0) > 0, "\(outcomes)")
        #expect((outcomes["unauthorized"] ?? 0) > 0, "\(outcomes)")
        // Once the flood has passed, the right password is checked again.
        #expect(try await auth.identity(for: PresentedCredential(dialect: .foreman, id: "ops", secret: "changeme")) == Identity(user: "u1", tenant: "t1"))
    }

    @Test func requestsPresentingOnePasswordAtOnceShareOneBcryptCheck() async throws {
        let (store, file) = try Self.opsWithABcryptPassword()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let auth = Authenticator(store: store, cache: TokenCache(ttl: 60, maxEntries: 10))
        // 32 connections whose cached decision has just expired, as a load balancer's keep-alive
        // pool presents it: one check, every request let in.
        let identities = try await withThrowingTaskGroup(of: Identity.self) { group in
            for _ in 0..<32 {
                group.addTask { try await auth.identity(for: PresentedCredential(dialect: .foreman, id: "ops", secret: "changeme")) }
            }
            return try await group.reduce(into: [Identity]()) { $0.append($1) }
        }
        #expect(identities == Array(repeating: Identity(user: "u1", tenant: "t1"), count: 32))
        #expect(store.slowChecksRun.withLockedValue { $0 } == 1)
        #expect(auth.checks.inFlight == 0, "a finished check is not kept")
    }

    /// A credential in steady use is checked again before its decision runs out, in the
    /// background: no request waits for bcrypt at expiry, and the decision is renewed.
    @Test func aDecisionInUseIsCheckedAgainBeforeItRunsOut() async throws {
        let (store, file) = try Self.opsWithABcryptPassword()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let auth = Authenticator(store: store, cache: TokenCache(ttl: 3, maxEntries: 10))
        let ops = PresentedCredential(dialect: .foreman, id: "ops", secret: "changeme")
        #expect(try await auth.identity(for: ops) == Identity(user: "u1", tenant: "t1"))
        #expect(store.slowChecksRun.withLockedValue { $0 } == 1)
        // In the last fifth of the TTL: answered from the cache, and checked again meanwhile.
        try await Task.sleep(for: .milliseconds(2_600))
        #expect(try await auth.identity(for: ops) == Identity(user: "u1", tenant: "t1"))
        while auth.checks.inFlight > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(store.slowChecksRun.withLockedValue { $0 } == 2)
        // Past the first decision's TTL: the renewed one answers, no third check.
        try await Task.sleep(for: .milliseconds(600))
        #expect(try await auth.identity(for: ops) == Identity(user: "u1", tenant: "t1"))
        #expect(store.slowChecksRun.withLockedValue { $0 } == 2)
        // A wrong secret is a miss of its own, and refused.
        await #expect(throws: CanonicalError.self) {
            try await auth.identity(for: PresentedCredential(dialect: .foreman, id: "ops", secret: "wrong"))
        }
    }

    /// A check that started before a reload emptied the cache does not refill it: the reload
    /// may have revoked the credential the check was made against.
    @Test func aDecisionFromBeforeAReloadIsNotFiled() {
        let cache = TokenCache(ttl: 60, maxEntries: 10)
        let startedBefore = cache.generation
        cache.removeAll()
        cache.remember(Identity(user: "u1", tenant: "t1"), for: "key", generation: startedBefore)
        #expect(cache.identity(for: "key") == nil)
        cache.remember(Identity(user: "u1", tenant: "t1"), for: "key", generation: cache.generation)
        #expect(cache.identity(for: "key") == Identity(user: "u1", tenant: "t1"))
        cache.forget("key")
        #expect(cache.identity(for: "key") == nil)
    }

    @Test func theCacheIsBounded() {
        let cache = TokenCache(ttl: 3600, maxEntries: 5)
        for i in 0..<20 { cache.remember(Identity(user: "u\(i)", tenant: "t"), for: "key-\(i)") }
        #expect(cache.count <= 5)
        #expect(cache.identity(for: "key-19") == Identity(user: "u19", tenant: "t"))
    }
}

/// A refusal takes as long whether or not the id exists: an id a password dialect does not
/// know is checked against a decoy hash of the same cost (so timing does not list the users),
/// and a token dialect, whose secrets are looked up by hash, pays no bcrypt for a wrong one.
@Suite struct ConstantTimeRefusalTests {
    @Test func anUnknownUserPaysTheSameBcryptAsAWrongPassword() async throws {
        let (store, file) = try TokenCacheTests.opsWithABcryptPassword()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let auth = Authenticator(store: store, cache: TokenCache(ttl: 60, maxEntries: 10))
        await #expect(throws: CanonicalError.unauthorized("nobody")) {
            try await auth.identity(for: PresentedCredential(dialect: .foreman, id: "nobody", secret: "changeme"))
        }
        #expect(store.slowChecksRun.withLockedValue { $0 } == 1)
        await #expect(throws: CanonicalError.unauthorized("ops")) {
            try await auth.identity(for: PresentedCredential(dialect: .foreman, id: "ops", secret: "wrong"))
        }
        #expect(store.slowChecksRun.withLockedValue { $0 } == 2)
        await #expect(throws: CanonicalError.self) {
            try await auth.identity(for: PresentedCredential(dialect: .idc51, id: "AKIDNONE", secret: "x"))
        }
        #expect(store.slowChecksRun.withLockedValue { $0 } == 2)
    }
}
