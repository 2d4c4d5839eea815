import Foundation
import IMSModel
import IMSStorePostgres
import Logging
import PostgresNIO

/// PostgreSQL baselines for `bench/run`'s postgres lane, on the gateway's own schema (made by
/// its migrator in a fresh schema of the database at URL), with postgres-nio and nothing else:
/// - `bench-postgres reads URL N C`: one image row read by id N times, C at once; reads/s.
/// - `bench-postgres inserts URL N C`: N image rows inserted, one autocommitted (durable)
///   statement each, C at once; inserts/s.
@main
struct BenchPostgres {
    static let usage = "usage: bench-postgres reads|inserts URL N CONCURRENCY"

    static func main() async throws {
        let args = Array(CommandLine.arguments.dropFirst())
        guard args.count == 4, let count = Int(args[2]), let concurrency = Int(args[3]), ["reads", "inserts"].contains(args[0]) else {
            print(usage)
            return
        }
        let logger = {
            var logger = Logger(label: "bench-postgres")
            logger.logLevel = .warning
            return logger
        }()
        let schema = "bench_" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let db = PGDatabase(try PGAddress(url: args[1], schema: schema), maxConnections: concurrency, listens: false, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await db.run() }
            // The gateway's migrator makes the schema; the store is used for nothing else.
            _ = try await PGStore(db).images(ImageQuery(limit: 1), reach: .all)
            let client = db.client
            let columns = "imageId, name, description, status, transitionStatus, imageType, diskFormat, minDisk, minRam, cpuArch, bits, "
                + "osType, osVersion, platform, visibility, bootMode, usage, owner, departmentId, resourceGroupId, region, size, "
                + "checksum, username, password, uuid, userData, provider, zone, sourceType, uploadId, errMessage, createdAt, updatedAt, statusTime"
            @Sendable func insert(_ i: Int) async throws -> Int64 {
                let now = Date()
                let ref = "img-raw\(i)"
                let rows = try await client.query("""
                    INSERT INTO image (\(unescaped: columns)) VALUES (\(ref), \("raw-\(i)"), '', 'active', '', 'os_image', 'qcow2', 0, 0,
                        'x86', '64', 'linux', '', '', 'private', 'BIOS', 'ecs', 'default', '', '', '', 0, '', '', '', '', false, 'self',
                        '', '', '', '', \(now), \(now), \(now)) RETURNING id
                    """, logger: logger)
                var id: Int64 = 0
                for try await value in rows.decode(Int64.self) { id = value }
                return id
            }
            /// `count` calls of `body` spread over `concurrency` tasks; answers calls per second.
            func rate(_ body: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
                let started = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { workers in
                    for worker in 0..<concurrency {
                        workers.addTask {
                            for i in stride(from: worker, to: count, by: concurrency) { try await body(i) }
                        }
                    }
                    try await workers.waitForAll()
                }
                return Double(count) / ((ContinuousClock.now - started) / .seconds(1))
            }
            if args[0] == "inserts" {
                print(String(format: "inserts_per_second %.1f", try await rate { i in _ = try await insert(i) }))
            } else {
                let id = try await insert(-1)
                let read = "SELECT id, " + columns + " FROM image WHERE id = "
                print(String(format: "reads_per_second %.1f", try await rate { _ in
                    for try await row in try await client.query("\(unescaped: read)\(id)", logger: logger) { _ = row }
                }))
            }
            try await client.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
            group.cancelAll()
        }
    }
}
