import NIOCore
import NIOPosix

/// Swift concurrency's tasks run on NIO's event loops instead of the cooperative thread pool.
///
/// Hummingbird runs each request's handler as a task. On the cooperative pool a response then
/// crosses threads twice (loop → pool → loop); profiled on one core, a GET-by-id cost 1.8
/// context switches where a handler that returns at once cost 0.17. With the event loops as the
/// global executor a task started on a loop stays on it. This is NIO's own opt-in (Vapor's
/// template turns it on too). It is safe here because the gateway's tasks do not wait on the
/// disk: SQLite writes and pooled reads run on GRDB's queues, point reads and file work on NIO's
/// thread pool, the credential cache is in memory and bcrypt runs on threads of its own.
public enum EventLoopExecutor {
    /// Installs the hook; call once, before any task needs it, after `EventLoopCount.apply`.
    @discardableResult
    public static func install() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
