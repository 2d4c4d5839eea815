import Foundation
import GatewayHTTP
import Testing

/// A QingCloud client's mistakes, and an attacker's edits, answered as ret_codes: never a crash,
/// never a change the signature did not cover.
@Suite struct QingcloudHostileInputTests {
    /// A signed query with a JSON body: the body is not what was signed, so it cannot add to the request.
    @Test func anUnsignedBodyCannotRideOnASignedQuery() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let signer = QingcloudSigner()
        try signer.install(in: &gateway)
        try await gateway.run { client in
            let made = try await client.action("CaptureInstance", [("instance", "i-1"), ("image_name", "keep")], signer: signer)
            let kept = try #require(made["image_id"]?.stringValue)
            _ = try await client.finishedQingcloudJob(try #require(made["job_id"]?.stringValue), signer: signer)

            let signed = signer.query([("action", "DeleteImages"), ("images.1", "img-zzzzzzzz")], method: "POST")
            let added = try await client.send(.post, "/iaas/", query: signed, body: .json(["images.2": .string(kept)]), auth: .none)
            #expect(added.status == 200 && added["ret_code"] == 1200)
            let asText = try await client.send(.post, "/iaas/", query: signer.query([("action", "DescribeImages")], method: "POST"),
                                               body: .raw("images.2=\(kept)", contentType: "text/plain"), auth: .none)
            #expect(asText["ret_code"] == 1200)
            #expect(try await client.action("DescribeImages", [("images.1", kept)], signer: signer)["total_count"] == 1)
        }
    }

    /// Huge, negative and malformed numbers, and a name given twice: each a ParameterError or an
    /// AuthFailure in QingCloud's shape, naming no Swift type.
    @Test func hostileNumbersAndRepeatedNamesAreRetCodes() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let signer = QingcloudSigner()
        try signer.install(in: &gateway)
        try await gateway.run { client in
            let far = try await client.action("DescribeImages", [("images.999999999999", "img-zzzzzzzz")], signer: signer)
            #expect(far["ret_code"] == 0 && far["total_count"] == 0)
            let cases: [([(String, String)], Int)] = [
                ([("images.99999999999999999999999", "img-1")], 1400),
                ([("images.-1", "img-1")], 1400),
                ([("images.x", "img-1")], 1400),
                ([("offset", "-1")], 1400),
                ([("offset", "99999999999999999999")], 1400),
                ([("limit", "-9223372036854775808")], 1400),
                ([("verbose", "1e9")], 1400),
            ]
            for (parameters, code) in cases {
                let reply = try await client.action("DescribeImages", parameters, signer: signer)
                #expect(reply.status == 200 && reply["ret_code"] == .int(Int64(code)), "\(parameters)")
                #expect(!reply.text.contains("Error(") && !reply.text.contains("Swift"), "\(parameters): \(reply.text)")
            }
            var twice = signer.query([("action", "DescribeJobs"), ("offset", "0")])
            twice.append(("offset", "5"))
            #expect(try await client.send(.get, "/iaas/", query: twice, auth: .none)["ret_code"] == 1200)
            // Not UTF-8 once decoded: a refusal in QingCloud's shape, not a crash.
            let notText = try await client.send(.post, "/iaas/", body: .raw("action=DescribeImages&search_word=%FF%FE",
                                                                             contentType: "application/x-www-form-urlencoded"), auth: .none)
            #expect(notText.status == 200 && (notText["ret_code"] == 1200 || notText["ret_code"] == 1400), "\(notText.text)")
            let jobs = try await client.action("DescribeJobs", [("jobs.18446744073709551616", "j-1"), ("limit", "0")], signer: signer)
            #expect(jobs["ret_code"] == 1400)
        }
    }
}
