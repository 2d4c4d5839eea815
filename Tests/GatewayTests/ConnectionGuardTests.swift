@testable import GatewayHTTP
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import Testing

/// The connection guard as the sweep sees it, on an embedded channel: which connections a
/// look at the clock closes.
@Suite struct ConnectionGuardTests {
    let idle = TimeAmount.seconds(30), body = TimeAmount.seconds(30)

    func connected() throws -> (EmbeddedChannel, ConnectionGuard) {
        let connection = ConnectionGuard(sniffer: RequestLineSniffer(), render: { _, _ in nil },
                                         sweep: ConnectionSweep(idle: idle, body: body))
        let channel = EmbeddedChannel(handler: connection)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait()
        return (channel, connection)
    }

    @Test func anIdleConnectionIsClosedABusyOneIsNot() throws {
        let (channel, connection) = try connected()
        let later = NIODeadline.now() + idle + .seconds(1)
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: "x", path: "/")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        connection.check(now: later, idle: idle, body: body)
        #expect(channel.isActive, "a request being answered is never cut")
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        connection.check(now: NIODeadline.now() + .seconds(1), idle: idle, body: body)
        #expect(channel.isActive, "idle for less than the timeout")
        connection.check(now: later + .seconds(1), idle: idle, body: body)
        #expect(!channel.isActive)
    }

    /// A parse error on a path no dialect owns is answered by Hummingbird, for a head the guard
    /// never saw; the connection must still count as idle afterwards, and be swept.
    @Test func aConnectionAnsweredForAParseErrorIsStillSwept() throws {
        let (channel, connection) = try connected()
        channel.pipeline.fireErrorCaught(HTTPParserError.invalidURL)
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .badRequest)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        connection.check(now: NIODeadline.now() + idle + .seconds(1), idle: idle, body: body)
        #expect(!channel.isActive)
    }

    @Test func aBodyThatStopsIsCutOneThatMovesIsNot() throws {
        let (channel, connection) = try connected()
        var fields = HTTPFields()
        fields[.contentLength] = "10"
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "x", path: "/", headerFields: fields)))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "abc")))
        connection.check(now: NIODeadline.now() + .seconds(1), idle: idle, body: body)
        #expect(channel.isActive)
        connection.check(now: NIODeadline.now() + body + .seconds(1), idle: idle, body: body)
        #expect(!channel.isActive)
    }
}
