import Dialects
import Foundation
@testable import GatewayHTTP
import Testing

/// A signed request is accepted once, and a reload (SIGHUP) does not reopen its window: the
/// signatures already accepted stay remembered with the new credentials.
@Suite struct ReplayAcrossReloadTests {
    @Test func aSignedRequestAcceptedBeforeAReloadIsRefusedAfterIt() async throws {
        let dir = try OperationsTests.configCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let signer = QingcloudSigner()
        try signer.secret.write(to: dir.appendingPathComponent("qc.secret"), atomically: true, encoding: .utf8)
        let credentials = dir.appendingPathComponent("credentials.yaml")
        try (try String(contentsOf: credentials, encoding: .utf8)
            + "\n  - {dialect: qingcloud, id: \(signer.keyId), secret_file: qc.secret, user: usr-qc, tenant: qc}\n")
            .write(to: credentials, atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("ims-gateway.yaml").path
        var config = try GatewayConfig.load(path: path)
        config.backendInUse.path = gateway.dataPath
        try await withReloadable(config, path: path) { client, live in
            let signed = signer.query([("action", "DescribeImages")])
            let first = try await client.send(.get, "/iaas/", query: signed, auth: .none)
            #expect(first.status == 200 && first["ret_code"] == 0, "\(first.text)")
            let again = try await client.send(.get, "/iaas/", query: signed, auth: .none)
            #expect(again.status == 200 && again["ret_code"] == 1200, "\(again.text)")

            try live.reload()
            let afterReload = try await client.send(.get, "/iaas/", query: signed, auth: .none)
            #expect(afterReload.status == 200 && afterReload["ret_code"] == 1200, "\(afterReload.text)")
            // The reloaded credentials still take a newly signed request.
            let fresh = try await client.send(.get, "/iaas/", query: signer.query([("action", "DescribeImages")]), auth: .none)
            #expect(fresh["ret_code"] == 0, "\(fresh.text)")
        }
    }
}
