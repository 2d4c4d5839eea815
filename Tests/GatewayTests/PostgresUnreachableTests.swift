import Foundation
@testable import IMSModel
@testable import IMSService
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
            await #expect(throws: StoreFault.unreached) {
                try await db.read { try await $0.query("SELECT 1", logger: db.logger) }
            }
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
            // How soon (figures, not a timed assertion) is scripts/faults-pg's to measure.
            #expect(served)
        }
    }

    /// A database that stops answering (its forwarder stopped, as SIGSTOP stops a server): reads
    /// and writes (S3 upload steps too) are answered the dialects' 503 at the request timeout, not when it wakes; once it
    /// does, they are served again, and a create refused meanwhile was not made twice.
    @Test func aStalledDatabaseIsAnsweredAtTheDeadlineAndServedWhenItWakes() async throws {
        var real = URLComponents(string: ProcessInfo.processInfo.environment["IMS_PG_URL"]!)!
        let port = try RemoteBackendTests.freePort()
        let forwarder = try Self.forward(port, to: real.port!)
        defer { kill(forwarder.processIdentifier, SIGKILL); forwarder.waitUntilExit() }
        real.port = port
        try await withBackend(url: real.string!, maxConnections: 4, timeout: .milliseconds(800)) { backend, _, image in
            let selector = ImageSelector(ref: image.image.imageId)
            kill(forwarder.processIdentifier, SIGSTOP)
            await #expect(throws: StoreFault.timedOut) { try await backend.execute(.getImage(selector), as: who) }
            await #expect(throws: StoreFault.timedOut) {
                try await backend.execute(.createImage([.name: "during-the-stall"]), as: who)
            }
            // The S3 endpoint's upload calls too: each of their store steps is under the deadline.
            let objects = try #require(backend.capabilities.uploadObjects)
            var refusal: UploadObjectError?
            do throws(UploadObjectError) { _ = try await objects.createMultipartUpload(image.image.imageId) } catch { refusal = error }
            #expect(refusal.map { if case .canonical(let error) = $0 { error == StoreFault.timedOut } else { false } } == true)
            kill(forwarder.processIdentifier, SIGCONT)

            var served: ImageView?
            for _ in 0..<50 where served == nil {
                served = try? await backend.execute(.getImage(selector), as: who).imageView
                if served == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(served?.image.name == "first")
            let names = try #require(try await backend.execute(.listImages(ImageQuery()), as: who).imagePage).items.map(\.image.name)
            #expect(names.filter { $0 == "during-the-stall" }.count <= 1)
            #expect(names.contains("first"))
        }
    }

    /// Every pooled connection busy (max_connections: 2, one listening for jobs, one held by a long statement): a command
    /// waits for one until the deadline, then is answered 503, and its wait is given up.
    @Test func anExhaustedPoolIsA503AtTheDeadline() async throws {
        let url = ProcessInfo.processInfo.environment["IMS_PG_URL"]!
        try await withBackend(url: url, maxConnections: 2, timeout: .milliseconds(500)) { backend, db, image in
            let holder = Task { try await db.read { try await $0.query("SELECT pg_sleep(3)", logger: db.logger) } }
            try await Task.sleep(for: .milliseconds(200))
            await #expect(throws: StoreFault.timedOut) { try await backend.execute(.getImage(ImageSelector(ref: image.image.imageId)), as: who) }
            _ = try await holder.value
            let served = try await backend.execute(.getImage(ImageSelector(ref: image.image.imageId)), as: who).imageView
            #expect(served?.image.name == "first")
        }
    }

    let who = Identity(user: "1", tenant: "default", isOperator: true)

    /// A postgres backend under its deadline, as the gateway makes one, in a schema of its own,
    /// running, with one image ("first") made once its schema is ready.
    private func withBackend(url: String, maxConnections: Int, timeout: Duration,
                             _ body: (DeadlineBackend, PGDatabase, ImageView) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-faults-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let schema = "f_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var options = PGBackend.Options(address: try PGAddress(url: url, schema: schema), maxConnections: maxConnections,
                                        files: dir.appendingPathComponent("files").path, jobLease: .seconds(30))
        options.connectTimeout = .milliseconds(500)
        let service = try PGBackend.make(options, options: BundledOptions())
        let db = try #require(service.storeServices.first as? PGDatabase)
        let backend = DeadlineBackend(service, timeout: timeout)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in backend.services { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            var made: ImageView?
            for _ in 0..<100 where made == nil {
                made = try? await backend.execute(.createImage([.name: "first"]), as: who).imageView
                if made == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            try await body(backend, db, try #require(made))
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
