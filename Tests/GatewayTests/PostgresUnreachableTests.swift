import Foundation
@testable import IMSModel
@testable import IMSStorePostgres
import Logging
import PostgresNIO
import Testing

/// A database that is not there when the gateway starts: store calls are refused at once as
/// the dialects' 503 (never a hang, never an internal error), and the first calls after it
/// comes up are served, without a restart.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["IMS_PG_URL"] != nil, "needs IMS_PG_URL"))
struct PostgresUnreachableTests {
    @Test func aDatabaseThatComesUpLateIsServedWithoutARestart() async throws {
        var real = URLComponents(string: ProcessInfo.processInfo.environment["IMS_PG_URL"]!)!
        let port = try RemoteBackendTests.freePort()
        let target = real.port!
        real.port = port
        let schema = "u_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let db = PGDatabase(try PGAddress(url: real.string!, schema: schema), maxConnections: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await db.run() }
            defer { group.cancelAll() }
            // Nothing listens: refused as unavailable, at once.
            let started = ContinuousClock.now
            await #expect(throws: CanonicalError.unavailable("the database is unavailable; try again shortly")) {
                try await db.read { try await $0.query("SELECT 1", logger: db.logger) }
            }
            #expect(ContinuousClock.now - started < .seconds(2))
            // The database comes up (a forwarder to the real one opens the port): served within a second or so.
            let forwarder = try Self.forward(port, to: target)
            // SIGKILL: the test process ignores SIGTERM (a service group handles it), and so would its child.
            defer { kill(forwarder.processIdentifier, SIGKILL); forwarder.waitUntilExit() }
            let up = ContinuousClock.now
            var served = false
            while !served, ContinuousClock.now - up < .seconds(10) {
                served = (try? await db.read { try await $0.query("SELECT 1", logger: db.logger) }) != nil
                if !served { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(served)
            #expect(ContinuousClock.now - up < .seconds(3), "served again \(ContinuousClock.now - up) after the database came up")
        }
    }

    /// A TCP forwarder from `port` to the database's, in a process of its own.
    static func forward(_ port: Int, to target: Int) throws -> Process {
        let script = """
            import socket, threading
            def pipe(a, b):
                try:
                    while (d := a.recv(65536)): b.sendall(d)
                except OSError: pass
                finally:
                    for s in (a, b):
                        try: s.shutdown(socket.SHUT_RDWR)
                        except OSError: pass
            srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind(('127.0.0.1', \(port))); srv.listen(64)
            while True:
                c, _ = srv.accept(); u = socket.create_connection(('127.0.0.1', \(target)))
                threading.Thread(target=pipe, args=(c, u), daemon=True).start()
                threading.Thread(target=pipe, args=(u, c), daemon=True).start()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        // Not the test's own output: `swift test` reads it until every holder closes it.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
