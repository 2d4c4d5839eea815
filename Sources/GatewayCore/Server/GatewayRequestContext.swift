import Hummingbird
import Logging

/// Per-request state carried through the middleware chain.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who the request acts as; set by authentication, the anonymous operator until then.
    public var identity: Identity = .anonymousOperator

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
