import Foundation
import NIOCore

/// How many event loops to run: one per CPU this process may run on. NIO counts the machine's
/// CPUs (or its cgroup's), not the process's affinity mask, so a gateway pinned with `taskset`
/// to one core would still run a loop per core there, and they would take turns on it.
public enum EventLoopCount {
    /// The CPUs in this process's affinity mask (NIO's count where that cannot be read).
    public static var available: Int {
        // `Cpus_allowed:` in /proc/self/status is the mask in hex, in comma-separated words
        // (glibc's CPU_COUNT is a macro Swift cannot call).
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let count = allowedCPUs(inStatus: status), count > 0 {
            return count
        }
        return System.coreCount
    }

    /// The CPUs set in a /proc status text's `Cpus_allowed:` mask.
    static func allowedCPUs(inStatus status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        return line.dropFirst("Cpus_allowed:".count).compactMap { $0.hexDigitValue }.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// Sizes NIO's shared event loop group (which Hummingbird uses) before anything starts it.
    public static func apply(_ count: Int? = nil) {
        NIOSingletons.groupLoopCountSuggestion = max(1, count ?? available)
    }
}
