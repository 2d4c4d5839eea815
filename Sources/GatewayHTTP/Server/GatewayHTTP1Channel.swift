import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 channel with the gateway's two additions around its parser: the
/// `RequestLineSniffer` before it and the `ConnectionGuard` after it (so even a request that
/// cannot be parsed is answered in its dialect's shape, and slow clients are cut).
struct GatewayHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let render: ParseErrorAnswer.Render
    let sweep: ConnectionSweep

    var responder: Responder { inner.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let sniffer = RequestLineSniffer()
            try pipeline.addHandler(sniffer, position: .first)
            let codec = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
            try pipeline.addHandler(ConnectionGuard(sniffer: sniffer, render: render, sweep: sweep), position: .after(codec))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 as Hummingbird serves it, with parse failures answered by `render` and idle or
    /// stalled connections closed by `sweep` (so the configuration sets no idle timeout of its own).
    static func gatewayHTTP1(_ configuration: HTTP1Channel.Configuration, render: @escaping ParseErrorAnswer.Render,
                             sweep: ConnectionSweep) -> HTTPServerBuilder {
        .init { responder in
            GatewayHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: configuration), render: render, sweep: sweep)
        }
    }
}
