import Hummingbird
import Logging
import NIOCore

/// Per-request state carried through the middleware chain.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection's event loop: a long response body paces itself by it.
    public let eventLoop: any EventLoop

    public init(source: Source) {
        coreContext = .init(source: source)
        eventLoop = source.channel.eventLoop
    }
}
