import Synchronization

/// The request id of the request being served, passed on to the remote backend.
public enum RequestIDs {
    @TaskLocal public static var current: String?

    /// The dialect and route operation being served (`foreman`, `image.create`), for a
    /// backend that records what a client asked (a shadow's findings).
    @TaskLocal public static var route: RouteName?

    public struct RouteName: Sendable, Equatable {
        public var dialect: String
        public var operation: String

        public init(dialect: String, operation: String) {
            self.dialect = dialect
            self.operation = operation
        }
    }

    /// Random per process, so ids from different gateways (or restarts) do not collide.
    static let processPrefix = UInt64.random(in: .min ... .max)
    static let counter = Atomic<UInt64>(0)

    /// A new request id, shaped like a UUID: the process prefix and a counter. Foundation's
    /// `UUID()` opens /dev/urandom on Linux on every call; a request should not cost a file open.
    public static func make() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 36) { out in
            var at = 0
            func write(_ word: UInt64, from first: Int) {
                for nibble in 0..<16 {
                    switch first + nibble {
                    case 8, 12, 16, 20:
                        out[at] = UInt8(ascii: "-")
                        at += 1
                    default: break
                    }
                    out[at] = hexDigits[Int(word >> (60 - 4 * UInt64(nibble)) & 0xF)]
                    at += 1
                }
            }
            write(processPrefix, from: 0)
            write(n, from: 16)
            return at
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
