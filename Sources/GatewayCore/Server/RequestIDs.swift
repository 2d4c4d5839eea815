import Synchronization

/// The request id of the request being served, passed on to the remote backend.
public enum RequestIDs {
    @TaskLocal public static var current: String?

    /// Random per process, so ids from different gateways (or restarts) do not collide.
    static let processPrefix = UInt64.random(in: .min ... .max)
    static let counter = Atomic<UInt64>(0)

    /// A new request id, shaped like a UUID: the process prefix and a counter. Foundation's
    /// `UUID()` opens /dev/urandom on Linux on every call; a request should not cost a file open.
    public static func make() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        let digits = Secrets.hex(withUnsafeBytes(of: processPrefix.bigEndian) { Array($0) } + withUnsafeBytes(of: n.bigEndian) { Array($0) })
        var out = ""
        out.reserveCapacity(36)
        for (i, c) in digits.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append("-") }
            out.append(c)
        }
        return out
    }
}
