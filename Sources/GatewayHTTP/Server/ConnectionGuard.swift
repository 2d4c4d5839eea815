import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// What the gateway adds to a connection right after the HTTP codec, in one handler so each
/// request part is unwrapped once (three handlers, each unwrapping every part, were ~57 retains
/// of a GET):
/// - `Expect: 100-continue` is answered as the head passes (botocore waits for it on every PUT;
///   Hummingbird does not send it);
/// - a request the parser rejected is answered in its dialect's shape (`ParseErrorAnswer`), then
///   the connection closed, instead of Hummingbird's bare `400`;
/// - the connection notes when it went idle and when its body last moved, for the
///   `ConnectionSweep` to close one that is idle too long, or whose body stopped arriving.
///   Nothing is scheduled on the event loop per connection (see `ConnectionSweep` for why).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let sniffer: RequestLineSniffer
    let render: ParseErrorAnswer.Render
    let sweep: ConnectionSweep
    /// Requests whose heads were read and whose answers are not written yet. Answers go out in
    /// order, so a parse-error answer may only be written when none is owed.
    private var owed = 0
    /// Between a head that announces a body and the request's end.
    private var readingBody = false
    /// When the connection last finished an answer (or opened), and when its body last moved.
    private var idleSince = NIODeadline.now()
    private var bodyMoved = NIODeadline.now()
    private var context: ChannelHandlerContext?

    init(sniffer: RequestLineSniffer, render: @escaping ParseErrorAnswer.Render, sweep: ConnectionSweep) {
        self.sniffer = sniffer
        self.render = render
        self.sweep = sweep
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { watch(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        watch(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        unwatch()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        unwatch()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            owed += 1
            sniffer.paused = true
            if head.headerFields.announcesBody {
                readingBody = true
                bodyMoved = .now()
            }
            if head.headerFields.value(.expect)?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
        case .body:
            bodyMoved = .now()
        case .end:
            readingBody = false
            sniffer.nextRequest()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            // Not below zero: Hummingbird answers a parse error we pass on (a path no dialect
            // owns) with an answer for a head we never saw; at -1 the connection would count as
            // busy forever and never be swept.
            owed = max(0, owed - 1)
            if owed == 0 { idleSince = .now() }
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, owed == 0,
              let (answer, body) = render(ParseErrorAnswer.path(of: sniffer.requestLine), ParseErrorAnswer.canonical(parserError)) else {
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

    /// Called by the sweep on this connection's event loop: closes the connection if it has been
    /// idle (no request in progress, a head not yet complete counts as idle) or its body silent
    /// for longer than allowed. A request being answered is never cut.
    func check(now: NIODeadline, idle: TimeAmount, body: TimeAmount) {
        guard let context else { return }
        let expired = owed == 0 ? now - idleSince >= idle : readingBody && now - bodyMoved >= body
        if expired { context.close(promise: nil) }
    }

    private func watch(_ context: ChannelHandlerContext) {
        guard self.context == nil else { return }
        self.context = context
        idleSince = .now()
        sweep.add(self, on: context.eventLoop)
    }

    private func unwatch() {
        guard let context else { return }
        self.context = nil
        sweep.remove(self, on: context.eventLoop)
    }
}
