import Foundation
import GRDB
import GatewayCore

/// Storage side of `bench/run`:
/// - `bench-store inserts PATH N`: the GRDB baseline — N images inserted one durable write
///   transaction each into a store with the gateway's schema; prints inserts per second.
/// - `bench-store seed PATH N`: fills a store with N images quickly (for the scale runs), with
///   references `img-` + 8 base-36 digits of their number and names `image-<number>`.
@main
struct BenchStore {
    static func main() async throws {
        let args = Array(CommandLine.arguments.dropFirst())
        guard args.count == 3, let count = Int(args[2]) else {
            print("usage: bench-store inserts|seed PATH N")
            return
        }
        // Opening a BundledBackend creates the schema exactly as the gateway has it.
        _ = try BundledBackend(path: args[1])
        let pool = try DatabasePool(path: args[1])
        let now = Date()
        switch args[0] {
        case "inserts":
            let started = ContinuousClock.now
            for i in 0..<count {
                let image = Image(imageId: reference(i + 5_000_000), name: "raw-\(i)", now: now)
                try await pool.write { db in
                    var row = image
                    try row.insert(db)
                }
            }
            let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
                + Double((ContinuousClock.now - started).components.seconds)
            print(String(format: "inserts_per_second %.1f", Double(count) / seconds))
        case "seed":
            var next = 0
            while next < count {
                let range = next..<min(next + 10_000, count)
                try await pool.write { db in
                    for i in range {
                        var image = Image(imageId: reference(i), name: String(format: "image-%08d", i), now: now)
                        image.visibility = .public
                        try image.insert(db)
                    }
                }
                next = range.upperBound
            }
            print("seeded \(count)")
        default:
            print("usage: bench-store inserts|seed PATH N")
        }
    }

    static func reference(_ n: Int) -> String {
        let digits = String(n, radix: 36)
        return "img-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
