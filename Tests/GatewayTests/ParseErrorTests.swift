import Foundation
import GatewayHTTP
import Testing

/// Requests the HTTP parser rejects (a 100 KB URL, bytes that are not ASCII in a path) are
/// answered in the shape of the dialect their path belongs to, not with a bare empty 400.
@Suite struct ParseErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var what: String
        var requestLine: [UInt8]
        /// A fragment of the JSON body that shows the dialect's shape.
        var shape: String
        var testDescription: String { what }
    }

    static let long = [UInt8](repeating: UInt8(ascii: "a"), count: 100_000)
    static let cases: [Case] = [
        Case(what: "foreman, bytes that are not ASCII in the path",
             requestLine: Array("GET /api/compute_resources/1/images/".utf8) + [0xFF, 0xFE], shape: #"{"error":{"message":"#),
        Case(what: "51idc, a 100 KB query", requestLine: Array("GET /v2/zone/ac1/images?search_word=".utf8) + long,
             shape: #""ret_code":1400"#),
        Case(what: "htaiyun, a 100 KB path", requestLine: Array("GET /v1/openstack/image/application/".utf8) + long,
             shape: #""status":400"#),
        Case(what: "cecstack, bytes that are not ASCII in the path", requestLine: Array("GET /api/image/v1/images/".utf8) + [0xC3],
             shape: #""code":"IMG.InvalidParameter""#),
    ]

    @Test(arguments: cases)
    func answeredInTheDialectsShape(_ c: Case) async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run(.live, lane: .bundled) { client in
            let port = try #require(client.client.port)
            let connection = try RawConnection(port: port)
            defer { connection.close() }
            connection.send(c.requestLine + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let reply = try #require(connection.readUntilClosed())
            #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply.prefix(300))")
            #expect(reply.contains("Content-Type: application/json"), "\(reply.prefix(300))")
            #expect(reply.contains(c.shape), "\(reply.prefix(300))")
            // The gateway goes on serving.
            #expect(try await client.send(.get, "/healthz").status == 200)
        }
    }
}
