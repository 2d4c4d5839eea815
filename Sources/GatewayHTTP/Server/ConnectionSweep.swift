import Dispatch
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// Closes connections that are idle too long (between requests, or with a head that never
/// completes: slowloris) or whose request body stopped arriving, by looking at every open
/// connection a few times per timeout.
///
/// Why a sweep rather than a timer per connection (Hummingbird's idle timeout, and our body
/// timer before it): while any timer is scheduled on an event loop, NIO copies the earliest one
/// each time it picks up immediate work, and a request is ~45 pieces of such work (every hop of a
/// Swift task on the loop). Counted with uprobes, that was ~76 retains per GET-by-id. The sweep's
/// clock is a Dispatch timer, off the event loops; each loop is visited with one immediate task,
/// so no loop ever holds a scheduled task for this.
public final class ConnectionSweep: Service, Sendable {
    let idle: TimeAmount
    let body: TimeAmount
    /// Each event loop's connections; a loop's set is touched only on that loop.
    private let loops = NIOLockedValueBox<[ObjectIdentifier: Connections]>([:])
    private let queue = DispatchQueue(label: "ims-gateway.connection-sweep")

    public init(idle: TimeAmount, body: TimeAmount) {
        self.idle = idle
        self.body = body
    }

    /// A few looks per timeout: a connection is closed at most a quarter of its timeout late.
    var interval: TimeAmount { .nanoseconds(max(min(min(idle, body).nanoseconds / 4, 1_000_000_000), 20_000_000)) }

    public func run() async throws {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let every = DispatchTimeInterval.nanoseconds(Int(interval.nanoseconds))
        timer.schedule(deadline: .now() + every, repeating: every, leeway: .milliseconds(10))
        timer.setEventHandler { [self] in sweepAll() }
        timer.resume()
        defer { timer.cancel() }
        try? await gracefulShutdown()
    }

    /// Visits every loop that has had connections, once, on the loop itself.
    func sweepAll() {
        let idle = idle, body = body
        for connections in loops.withLockedValue({ Array($0.values) }) {
            connections.loop.execute {
                let now = NIODeadline.now()
                for connection in connections.all.values { connection.check(now: now, idle: idle, body: body) }
            }
        }
    }

    func add(_ connection: ConnectionGuard, on loop: any EventLoop) {
        let connections = loops.withLockedValue { loops in
            if let known = loops[ObjectIdentifier(loop)] { return known }
            let made = Connections(loop: loop)
            loops[ObjectIdentifier(loop)] = made
            return made
        }
        connections.all[ObjectIdentifier(connection)] = connection
    }

    func remove(_ connection: ConnectionGuard, on loop: any EventLoop) {
        loops.withLockedValue { $0[ObjectIdentifier(loop)] }?.all[ObjectIdentifier(connection)] = nil
    }

    /// One event loop's open connections. Only code running on `loop` reads or changes `all`.
    final class Connections: @unchecked Sendable {
        let loop: any EventLoop
        var all: [ObjectIdentifier: ConnectionGuard] = [:]

        init(loop: any EventLoop) {
            self.loop = loop
        }
    }
}
