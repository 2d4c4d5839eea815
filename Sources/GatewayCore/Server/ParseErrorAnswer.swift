import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request the HTTP parser rejected in the shape of the dialect its path belongs to,
/// instead of Hummingbird's bare `400` with no body, then closes the connection (after a parse
/// error the stream cannot be trusted). Sits after the HTTP codec; the failing request's first
/// bytes come from the `RequestLineSniffer` before the parser.
final class ParseErrorAnswer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    /// The answer for a request line's path and what was wrong; `nil` leaves it to Hummingbird.
    typealias Render = @Sendable (_ path: String, _ error: CanonicalError) -> (HTTPResponse, ByteBuffer)?

    let sniffer: RequestLineSniffer
    let render: Render
    /// Requests parsed whose answers are not written yet: answers go out in order, so ours
    /// may only be written when none is owed (a pipelined failure is left to Hummingbird).
    private var owed = 0

    init(sniffer: RequestLineSniffer, render: @escaping Render) {
        self.sniffer = sniffer
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            owed += 1
            sniffer.paused = true
        case .end: sniffer.nextRequest()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .end: owed -= 1
        case .head, .body: break
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, owed == 0,
              let (answer, body) = render(Self.path(of: sniffer.requestLine), Self.canonical(parserError)) else {
            context.fireErrorCaught(error)
            return
        }
        var head = answer
        head.headerFields[.connection] = "close"
        head.headerFields[.contentLength] = String(body.readableBytes)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let closing = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in closing.value.close(promise: nil) }
    }

    /// `GET /api/x?y HTTP/1.1` → `/api/x`.
    static func path(of line: String) -> String {
        let target = line.split(separator: " ", maxSplits: 2).dropFirst().first ?? ""
        return String(target.prefix { $0 != "?" })
    }

    static func canonical(_ error: HTTPParserError) -> CanonicalError {
        switch error {
        case .headerOverflow: .malformedBody("the request line and headers are longer than 80 KB")
        case .invalidURL, .invalidCharactersUsed: .malformedBody("the request line has characters HTTP does not allow (percent-encode them)")
        default: .malformedBody("the request is not valid HTTP/1.1")
        }
    }
}
