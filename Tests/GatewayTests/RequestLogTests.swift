import Dialects
import Foundation
@testable import GatewayHTTP
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import Testing

/// One log line per request, matched or not, that says what the client asked and what served
/// it, with the query's credentials taken out and one request id: the answer's.
@Suite struct RequestLogTests {
    final class Recorder: Sendable {
        let lines = NIOLockedValueBox<[Logger.Metadata]>([])
    }

    struct RecordingHandler: LogHandler {
        let recorder: Recorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            guard event.message.description == "request" else { return }
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            recorder.lines.withLockedValue { $0.append(merged) }
        }
    }

    /// The gateway with its log lines kept by `Recorder`.
    static func recorded(_ config: GatewayConfig) throws -> (some ApplicationProtocol, Recorder) {
        let recorder = Recorder()
        var logger = Logger(label: "test") { _ in RecordingHandler(recorder: recorder) }
        logger.logLevel = .info
        return (try buildApplication(config, parts: GatewayParts(dialects: Dialects.all), logger: logger), recorder)
    }

    @Test func theQueryLosesSignaturesTokensAndPresignedCredentials() {
        #expect(RequestLog.redacted("action=DescribeImages&signature=abc%3D&access_key_id=AKID") == "action=DescribeImages&signature=…&access_key_id=AKID")
        #expect(RequestLog.redacted("X-Amz-Credential=AK%2F2026&X-Amz-Signature=ff&X-Amz-Expires=60")
            == "X-Amz-Credential=…&X-Amz-Signature=…&X-Amz-Expires=60")
        #expect(RequestLog.redacted("token=t0k3n&size=10&flag&password=p") == "token=…&size=10&flag&password=…")
        #expect(RequestLog.redacted("") == "")
    }

    @Test func everyRequestHasOneLineThatSaysWhatWasAskedAndWhatServedIt() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let (app, recorder) = try Self.recorded(gateway.config)
        try await app.test(.router) { client in
            let client = GatewayClient(client: client)
            let listed = try await client.send(.get, "/api/compute_resources/1/images", query: [("search", "name = x"), ("token", "s3cr3t")])
            let nowhere = try await client.send(.get, "/nope", auth: .none)
            #expect(nowhere.status == 404 && nowhere.text.contains("noRoute"), "\(nowhere.text)")
            let lines = recorder.lines.withLockedValue { $0 }
            let foreman = try #require(lines.first { $0["path"] == "/api/compute_resources/1/images" })
            #expect(foreman["method"] == "GET" && foreman["status"]?.description == "200")
            #expect(foreman["route"] == "/api/compute_resources/{compute_resource_id}/images")
            #expect(foreman["dialect"] == "foreman" && foreman["operation"] != nil && foreman["backend"] == .string(gateway.config.use))
            #expect(foreman["query"] == "search=name%20%3D%20x&token=…" || foreman["query"] == "search=name+%3D+x&token=…", "\(foreman)")
            #expect(foreman["request_id"]?.description == listed.headers[.requestID])
            #expect(foreman["hb.request.id"] == nil)
            #expect(foreman["bytes_out"]?.description == String(listed.text.utf8.count))
            let unmatched = try #require(lines.first { $0["path"] == "/nope" })
            #expect(unmatched["status"]?.description == "404" && unmatched["route"] == nil)
            #expect(unmatched["request_id"]?.description == nowhere.headers[.requestID])
            #expect(!lines.contains { "\($0)".contains("s3cr3t") })
        }
    }

    /// A QingCloud signature and an S3 presigned URL's signature and credential never reach the log.
    @Test func signaturesNeverReachTheLog() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let signer = QingcloudSigner()
        try signer.install(in: &gateway)
        let (app, recorder) = try Self.recorded(gateway.config)
        try await app.test(.router) { client in
            let client = GatewayClient(client: client)
            let signed = signer.query([("action", "DescribeImages")])
            let signature = try #require(signed.first { $0.0 == "signature" }?.1)
            let described = try await client.send(.get, "/iaas/", query: signed, auth: .none)
            #expect(described["ret_code"] == 0, "\(described.text)")
            let presignature = String(repeating: "5e", count: 32)
            let presigned = try await client.send(.get, "/uploads/img-aaaaaaaa", query: [
                ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "AKIDPRESIGNED/20261207/us-east-1/s3/aws4_request"),
                ("X-Amz-Date", "20261207T000000Z"), ("X-Amz-Expires", "60"), ("X-Amz-SignedHeaders", "host"),
                ("X-Amz-Signature", presignature),
            ], auth: .none)
            #expect(presigned.status == 403, "\(presigned.text)")
            let lines = recorder.lines.withLockedValue { $0 }.map { "\($0)" }
            #expect(lines.contains { $0.contains("/iaas/") && $0.contains("signature=…") })
            #expect(lines.contains { $0.contains("/uploads/img-aaaaaaaa") && $0.contains("X-Amz-Signature=…") })
            let encoded = signature.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? signature
            for secret in [signature, encoded, presignature, "AKIDPRESIGNED"] {
                #expect(!lines.contains { $0.contains(secret) }, "\(secret) in the log")
            }
        }
    }
}
