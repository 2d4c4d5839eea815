import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body stops arriving. Hummingbird's idle timeout covers a
/// connection between requests and one whose head never completes (the head is one part, seen
/// only once whole), but not a body: once the head is in, a client could send one byte a minute
/// and hold the connection, its file descriptor and the handler's task forever. The clock runs
/// from each body part, so a large upload at any steady speed is never cut; only silence is.
///
/// A request without a body (every GET) sets no timer. During a body one timer runs; a part
/// only notes its time, and the timer, when it fires early, waits out the rest. (Cancelling and
/// scheduling a timer per part and per request showed in a GET's profile.)
final class BodyReadTimeout: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let timeout: TimeAmount
    private var scheduled: Scheduled<Void>?
    /// When the body last moved.
    private var lastPart = NIODeadline.uptimeNanoseconds(0)

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.headerFields.announcesBody { arm(context) }
        case .body: arm(context)
        case .end: disarm()
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    private func arm(_ context: ChannelHandlerContext) {
        lastPart = .now()
        guard scheduled == nil else { return }
        schedule(context, at: lastPart + timeout)
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        scheduled = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.scheduled = nil
            let due = handler.lastPart + handler.timeout
            if due > .now() {
                handler.schedule(context, at: due)
            } else {
                context.close(promise: nil)
            }
        }
    }

    private func disarm() {
        scheduled?.cancel()
        scheduled = nil
    }
}
