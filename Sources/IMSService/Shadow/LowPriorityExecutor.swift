import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A task executor on one thread of its own at the lowest CPU priority (nice 19), for work that
/// must take only the time the requests leave: the shadow's comparisons. On the event loops a
/// comparison (the secondary's call, two encodings, a diff, a row written) took its ~0.8 ms in
/// turns between requests; at saturation that showed in the primary's tail. Here the scheduler
/// runs it when the loops wait, and a comparison that cannot run soon leaves the queue to fill
/// and drop, which it is for.
final class LowPriorityExecutor: TaskExecutor, @unchecked Sendable {
    /// One for the process: comparisons are few, and a thread per shadow would idle.
    static let shared = LowPriorityExecutor(name: "ims-shadow")

    /// Guards `jobs`; the thread waits on it when there is nothing to run.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init(name: String) {
        let thread = Thread { [unowned self] in
            #if canImport(Glibc)
            // On Linux, `who` 0 is the calling thread, not the process. Named here: a thread
            // otherwise keeps the name of the one that made it (an event loop's, in `top -H`).
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            if let comm = fopen("/proc/thread-self/comm", "w") {
                fputs(name, comm)
                fclose(comm)
            }
            #endif
            run()
        }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() -> Never {
        var taken: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            swap(&taken, &jobs)
            condition.unlock()
            for job in taken { job.runSynchronously(on: asUnownedTaskExecutor()) }
            taken.removeAll(keepingCapacity: true)
        }
    }
}
