#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GatewayCore
import Testing

/// Slow clients cannot hold connections: a head that never completes (slowloris) and a body
/// that stops arriving are both cut, while a connection doing its work is left alone.
@Suite struct SlowClientTests {
    /// A raw TCP connection, to send requests in pieces as a slow or hostile client does.
    struct RawConnection {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
            // A generous bound on each read, so a server that never closes fails the test, not hangs it.
            var wait = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        }

        func send(_ text: String) { _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

        /// Reads until the server closes; `nil` if it did not close within the read bound.
        func readUntilClosed() -> String? {
            var received = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n == 0 { return String(decoding: received, as: UTF8.self) }
                if n < 0 { return nil }
                received += buffer[0..<n]
            }
        }

        func close() { _ = Glibc.close(fd) }
    }

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
