import Foundation

/// Where log lines go: standard error, written by a thread of its own. A log call runs on the
/// request's event loop, and a write to a pipe whose reader is slow (a container runtime, a
/// terminal) blocks; here the caller only appends to a buffer. Bounded: past `limit` pending
/// bytes lines are dropped and counted, and the count is written once there is room again.
final class LogSink: @unchecked Sendable {
    static let standardError = LogSink(FileHandle.standardError)

    private let condition = NSCondition()
    private var pending = Data()
    private var dropped = 0
    private let limit: Int
    private let handle: FileHandle

    init(_ handle: FileHandle, limit: Int = 8 << 20) {
        self.handle = handle
        self.limit = limit
        let thread = Thread { [unowned self] in self.drain() }
        thread.name = "ims-gateway log writer"
        thread.start()
    }

    func write(_ line: String) {
        condition.lock()
        if pending.count + line.utf8.count > limit {
            dropped += 1
        } else {
            pending.append(contentsOf: line.utf8)
            condition.signal()
        }
        condition.unlock()
    }

    /// Writes what is pending now, on the caller's thread (at exit, so no line is lost).
    func flush() {
        condition.lock()
        let batch = pending
        pending = Data()
        condition.unlock()
        if !batch.isEmpty { handle.write(batch) }
    }

    private func drain() {
        while true {
            condition.lock()
            while pending.isEmpty && dropped == 0 { condition.wait() }
            var batch = pending
            if dropped > 0 {
                batch.append(contentsOf: #"{"level":"warning","message":"log lines dropped: the log writer fell behind","dropped":\#(dropped)}"#.utf8)
                batch.append(0x0A)
                dropped = 0
            }
            pending = Data()
            condition.unlock()
            handle.write(batch)
        }
    }
}
