import Crypto
import Foundation
@testable import GatewayHTTP
@testable import IMSModel

/// Signs requests as qingcloud-sdk does (the scheme's own vector test pins the string to sign),
/// with a key pair made for each test gateway: the secret lives in a file of the test's folder,
/// named by `secret_file`, never in the repository.
struct QingcloudSigner: Sendable {
    var keyId = "QCTESTKEY"
    var secret = "qc-test-\(UUID().uuidString)"

    /// Gives `gateway` a credentials file: the shipped one plus this key for the qingcloud dialect.
    func install(in gateway: inout TestGateway, user: String = "usr-qc", tenant: String = "default", operator: Bool = true) throws {
        let shipped = try String(contentsOf: TestGateway.repoRoot.appendingPathComponent("Config/credentials.yaml"), encoding: .utf8)
        try secret.write(to: gateway.directory.appendingPathComponent("qc.secret"), atomically: true, encoding: .utf8)
        let file = gateway.directory.appendingPathComponent("credentials.yaml")
        try (shipped + "\n  - {dialect: qingcloud, id: \(keyId), secret_file: qc.secret, user: \(user), tenant: \(tenant), operator: \(`operator`)}\n")
            .write(to: file, atomically: true, encoding: .utf8)
        gateway.config.auth.credentials = file.path
    }

    /// The parameters of a signed `GET /iaas/` (or `method`) for `parameters` (`images.1`… as sent).
    func query(_ parameters: [(String, String)], secret: String? = nil, signedAt: Date = Date(), method: String = "GET") -> [(String, String)] {
        var all = parameters + [("access_key_id", keyId), ("signature_method", "HmacSHA256"), ("signature_version", "1"),
                                ("version", "1"), ("time_stamp", QingcloudSigner.stamp(signedAt)), ("zone", "pek3"),
                                ("req_id", UUID().uuidString)]
        let text = QueryHMACSchemeV1.stringToSign(method, "/iaas/", all.map { (name: $0.0, value: $0.1) })
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data((secret ?? self.secret).utf8)))
        all.append(("signature", Data(mac).base64EncodedString()))
        return all
    }

    static func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

extension GatewayClient {
    /// A signed QingCloud action, answered as JSON.
    func action(_ name: String, _ parameters: [(String, String)] = [], signer: QingcloudSigner) async throws -> Reply {
        try await send(.get, "/iaas/", query: signer.query([("action", name)] + parameters), auth: .none)
    }

    /// Polls DescribeJobs until the job is finished; its entry.
    func finishedQingcloudJob(_ jobId: String, signer: QingcloudSigner) async throws -> JSONValue {
        for _ in 0..<500 {
            let jobs = try await action("DescribeJobs", [("jobs.1", jobId)], signer: signer)
            if let job = jobs["job_set"]?.arrayValue?.first, let status = job["status"]?.stringValue,
               status == "successful" || status == "failed" { return job }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw PollTimeout(what: "job \(jobId)")
    }
}
