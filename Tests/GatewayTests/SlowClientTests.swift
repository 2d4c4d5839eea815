import Foundation
import GatewayHTTP
import Testing

/// Slow clients cannot hold connections: a head that never completes (slowloris) and a body
/// that stops arriving are both cut, while a connection doing its work is left alone.
@Suite struct SlowClientTests {
    @Test func anUnfinishedHeadAndAStalledBodyAreCut() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        gateway.config.listen.idleTimeoutSeconds = 0.5
        gateway.config.listen.bodyReadTimeoutSeconds = 0.5
        try await gateway.run(.live, lane: .bundled) { client in
            let port = try #require(client.client.port)
            let slowloris = try RawConnection(port: port)
            defer { slowloris.close() }
            slowloris.send("GET /api/compute_resources/1/images HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            #expect(slowloris.readUntilClosed() == "", "the unfinished head was not cut")

            let stalled = try RawConnection(port: port)
            defer { stalled.close() }
            stalled.send("POST /v1/openstack/image/application/create HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                         + "HT-ACCESS-TOKEN: ht-demo-access\r\nIMR-SESSION-TOKEN: sess-demo\r\nIMR-SESSION-SECRET: ht-demo-secret\r\n\r\nname=a")
            #expect(stalled.readUntilClosed() != nil, "the stalled body was not cut")

            // Nothing was stored from the cut request, and the server goes on serving. (A new
            // connection: the test client's own was idle past the half second, and was closed.)
            let after = try RawConnection(port: port)
            defer { after.close() }
            after.send("GET /v1/openstack/image/application/list HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                       + "HT-ACCESS-TOKEN: ht-demo-access\r\nIMR-SESSION-TOKEN: sess-demo\r\nIMR-SESSION-SECRET: ht-demo-secret\r\n\r\n")
            let reply = try #require(after.readUntilClosed())
            #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
            #expect(reply.contains(#""total":0"#), "\(reply)")
        }
    }
}
