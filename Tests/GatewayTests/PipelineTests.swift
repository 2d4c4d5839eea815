import Dialects
import Foundation
@testable import GatewayHTTP
import HTTPTypes
@testable import IMSModel
import NIOCore
import ServiceLifecycle
import Testing

/// `Gateway.handle`, the one pipeline, called as the middleware and `explain` call it: no HTTP.
@Suite struct PipelineTests {
    @Test func oneFunctionRoutesDecodesRunsAndEncodes() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        gateway.config.auth.credentials = nil
        let snapshot = try LiveConfig.Snapshot.make(gateway.config, compiled: Dialects.all)
        // The backend's services run beside it (PostgreSQL's client is one: without it every query waits).
        let backends = try BackendFactory.open(gateway.config)
        let services = ServiceGroup(configuration: .init(services: [backends.services], logger: TestGateway.quietLogger))
        let running = Task { try await services.run() }
        defer { running.cancel() }
        let pipeline = Gateway(backends: backends)
        func request(_ method: HTTPRequest.Method, _ path: String, _ query: String = "", body: String = "") -> Gateway.Request {
            Gateway.Request(method: method, path: path, query: query, requestId: "r-1") { ByteBuffer(string: body) }
        }
        let logger = TestGateway.quietLogger

        let (decoded, trace) = await pipeline.handle(request(.get, "/iaas/", "action=DescribeImages&images.1=img-a&limit=5"),
                                                     in: snapshot, mode: .decodeOnly, logger: logger)
        guard case .decoded = decoded else { Issue.record("not stopped after decoding: \(decoded)"); return }
        #expect(trace.route?.dialect == "qingcloud" && trace.route?.operation == .imageList)
        #expect(trace.command == .listImages(ImageQuery(filters: [.eq(.imageId, "img-a")], sort: [SortKey(.createdAt, descending: true)], limit: 5)))

        let (made, _) = await pipeline.handle(request(.post, "/iaas/", body: "action=CaptureInstance&instance=i-1&image_name=piped"),
                                              in: snapshot, logger: logger)
        guard case .response(let answer) = made else { Issue.record("no answer: \(made)"); return }
        #expect(answer.status == .ok && answer.body?["ret_code"] == 0 && answer.body?["image_id"]?.stringValue?.hasPrefix("img-") == true)

        // The same image through 51idc's route, and a path no dialect owns.
        let (listed, _) = await pipeline.handle(request(.get, "/v2/zone/ac1/images", "search_word=piped"), in: snapshot, logger: logger)
        guard case .response(let idc) = listed else { Issue.record("no answer"); return }
        #expect(idc.body?["total_count"] == 1)
        let (other, none) = await pipeline.handle(request(.get, "/healthz"), in: snapshot, logger: logger)
        guard case .notOurs = other else { Issue.record("answered a path no dialect owns"); return }
        #expect(none.route == nil)
    }

    /// A dialect's answer may be bytes of its own type (XML, a form), not only JSON.
    @Test func anAnswerIsJSONOrBytesOfItsType() throws {
        let json = try #require(DialectResponse(body: ["ret_code": 0]).encoded())
        #expect(String(buffer: json.0) == #"{"ret_code":0}"# && json.contentType == "application/json; charset=utf-8")
        let xml = DialectResponse(status: .notFound, bytes: ByteBuffer(string: "<Error/>"), contentType: "application/xml")
        let bytes = try #require(xml.encoded())
        #expect(String(buffer: bytes.0) == "<Error/>" && bytes.contentType == "application/xml" && xml.body == nil)
        #expect(DialectResponse(body: nil).encoded() == nil)
    }
}
