import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// A task executor on one event loop of its own, its thread at the lowest CPU priority (nice
/// 19), for work that must take only the time the requests leave: the shadow's comparisons and
/// its secondary's network calls. On the serving event loops a comparison (the secondary's call,
/// two encodings, a diff, a row written) took its ~0.8 ms in turns between requests; at
/// saturation that showed in the primary's tail. Here the scheduler runs it when the serving
/// loops wait, and a comparison that cannot run soon leaves the queue to fill and drop, which
/// it is for. An event loop rather than a bare thread, so a secondary reached over HTTP keeps
/// its connections on the same thread (`eventLoopGroup`): its reads and writes wait too.
package final class LowPriorityExecutor: TaskExecutor, Sendable {
    /// One for the process: comparisons are few, and a thread per shadow would idle.
    package static let shared = LowPriorityExecutor(name: "ims-shadow")

    /// The one loop, for clients whose I/O should wait for the requests (a shadow's secondary).
    package let eventLoopGroup: MultiThreadedEventLoopGroup
    private let loop: any EventLoop

    private init(name: String) {
        eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = eventLoopGroup.next()
        loop.execute {
            #if canImport(Glibc)
            // On Linux, `who` 0 is the calling thread, not the process. Named here, for `top -H`.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            if let comm = fopen("/proc/thread-self/comm", "w") {
                fputs(name, comm)
                fclose(comm)
            }
            #endif
        }
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
