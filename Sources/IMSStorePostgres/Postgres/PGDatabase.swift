import IMSModel
import IMSService
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import _ConnectionPoolModule
import ServiceLifecycle

/// The gateway's PostgreSQL: a `PostgresClient` (its connection pool) run as a service beside
/// the server, and the schema brought up to date before any store uses it. Store calls made
/// before the migration ends wait for it; if it fails they fail with its error.
public final class PGDatabase: Service, Sendable {
    public let address: PGAddress
    /// The pool (public for the benchmark's raw baseline): replaced by a new one when it stays
    /// stuck after the database came back (`PoolSupervision`).
    public var client: PostgresClient { clients.withLockedValue { $0.current } }
    private let clients: NIOLockedValueBox<(current: PostgresClient, configuration: PostgresClient.Configuration)>
    /// Since when every call has been refused by the pool itself (its circuit breaker), if it is.
    let refusedSince = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
    let logger: Logger
    private let gate = ReadyGate()
    /// Run after the migration and before any store call is let through (seeding).
    private let preparation = NIOLockedValueBox<(@Sendable () async throws -> Void)?>(nil)
    /// Set while `preparation` runs, whose own store calls must not wait for the gate it holds shut.
    @TaskLocal static var preparing = false
    /// Wakes this gateway's job worker when any gateway enqueues (LISTEN on `jobChannel`).
    let arrivals: AsyncStream<Void>
    private let arrived: AsyncStream<Void>.Continuation
    /// The schema's NOTIFY channel for new jobs.
    let jobChannel: String

    /// Whether this gateway listens for other gateways' new jobs (a store without a job worker need not).
    let listens: Bool

    public init(_ address: PGAddress, maxConnections: Int = 20, minConnections: Int = 0, keepAlive: Duration? = nil,
                connectTimeout: Duration = .seconds(10), listens: Bool = true,
                logger: Logger = Logger(label: "ims-gateway.postgres")) {
        self.address = address
        self.logger = logger
        self.listens = listens
        var configuration = address.clientConfiguration(maxConnections: maxConnections, minConnections: minConnections, keepAlive: keepAlive)
        // A stalled server accepts the TCP connection and then says nothing: without this a new
        // connection would wait the client's default 10 s.
        configuration.options.connectTimeout = connectTimeout
        clients = NIOLockedValueBox((PostgresClient(configuration: configuration, backgroundLogger: logger), configuration))
        (arrivals, arrived) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        jobChannel = "ims_jobs_" + (address.schema ?? "public")
    }

    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.superviseClients() }
            // A database that cannot be reached yet (down, restarting, not started) is tried
            // again every half second; meanwhile store calls are refused at once as unavailable
            // (503), and the first success lets them through. A database that answers but
            // refuses the schema stays refused.
            var reported = false
            while !Task.isCancelled {
                do {
                    try await PGMigrator.migrate(address, logger: logger)
                    if let prepare = preparation.withLockedValue({ $0 }) {
                        try await Self.$preparing.withValue(true) { try await prepare() }
                    }
                    gate.open(nil)
                    logger.info("postgres ready", metadata: ["database": .string(address.description)])
                    break
                } catch where Self.isUnreachable(error) {
                    if !reported {
                        logger.warning("postgres unreachable; trying again", metadata: [
                            "database": .string(address.description), "error": .string(String(reflecting: error))])
                        reported = true
                    }
                    gate.unreachable(StoreFault.unreached)
                    try? await Task.sleep(for: .milliseconds(500))
                } catch {
                    logger.error("postgres schema migration or seeding failed", metadata: ["error": .string(String(reflecting: error))])
                    gate.open(CanonicalError.unavailable("the database schema could not be brought up to date"))
                    break
                }
            }
            // The listener ends with the client at shutdown (the client ends on graceful shutdown).
            if listens { group.addTask { await cancelWhenGracefulShutdown { await self.listen() } } }
            // The client runs until the service group cancels it at shutdown.
        }
    }

    /// Holds one connection listening on `jobChannel` and passes each notification on; after
    /// a lost connection it listens again (and wakes the worker once: it may have missed one).
    private func listen() async {
        guard (try? await ready()) != nil else { return }
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: jobChannel) { notifications in
                        arrived.yield()
                        for try await _ in notifications { arrived.yield() }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("postgres job notifications lost; listening again", metadata: ["error": .string("\(error)")])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        arrived.finish()
    }

    /// Work to do once the schema is up to date, before the store serves (set before `run`).
    func prepare(_ work: @escaping @Sendable () async throws -> Void) {
        preparation.withLockedValue { $0 = work }
    }

    /// Waits until the schema is ready (or failed to become so).
    func ready() async throws {
        if Self.preparing { return }
        try await gate.wait()
    }

    /// One transaction on one connection: `body`'s own errors come out as they went in (the
    /// client's `withTransaction` wraps them), after a rollback. A failure before the
    /// transaction began (no connection, one that died before BEGIN was answered) is
    /// `StoreFault.unreached`: nothing of it can have been committed.
    @discardableResult
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await ready()
        var began = false
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                began = true
                notePool(refused: false)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    if Self.isConnectionFault(error) {
                        // The server ended the connection (or it broke): nothing is left to roll
                        // back, and a statement sent on it now may never be answered (seen: a
                        // ROLLBACK after 57P01 that held a job worker for good). Closed, the pool
                        // drops it.
                        try? await connection.close()
                    } else {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                    }
                    throw error
                }
            }
        } catch {
            if Self.isTakenRowId(error) { throw TakenRowId.error }
            throw logged(error, sent: began)
        }
    }

    /// The primary keys a command's `Minted` can hand a row id for.
    static let handedKeys: Set<String> = ["image_pkey", "imageapplication_pkey", "applicationinstance_pkey", "imageshare_pkey",
                                          "catalogentry_pkey"]

    static func isTakenRowId(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.serverInfo?[.sqlState] == "23505",
              let constraint = error.serverInfo?[.constraintName] else { return false }
        return handedKeys.contains(constraint)
    }

    /// The database was not reached, or the connection went while in use (no server answer):
    /// worth trying again, unlike a statement the server refused.
    static func isUnreachable(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo.map { isServerGoing($0[.sqlState] ?? "") } ?? true }
        return !(error is CanonicalError) && !(error is CancellationError)
    }

    /// Runs the pool, and a new one in its place when it refuses every call for a while although
    /// the database takes connections again. Why: postgres-nio 1.33's pool keeps the count of
    /// failed connection attempts from an earlier outage and, failing again, opens its circuit
    /// breaker with a backoff of up to a minute, so a gateway stayed at 503 long after the
    /// database was back (scripts/faults-pg: a restart, then its slots exhausted).
    private func superviseClients() async {
        // The pool's task inherits the service group's graceful shutdown, and ends with it.
        var running = Task { [client] in await client.run() }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(500))
            if Task.isShuttingDownGracefully { break }
            guard let since = refusedSince.withLockedValue({ $0 }), ContinuousClock.now - since > .seconds(1),
                  (try? await probe()) != nil else { continue }
            let fresh = clients.withLockedValue { clients -> PostgresClient in
                clients.current = PostgresClient(configuration: clients.configuration, backgroundLogger: logger)
                return clients.current
            }
            refusedSince.withLockedValue { $0 = nil }
            logger.warning("postgres pool replaced: it refused every call while the database took connections")
            running.cancel()
            running = Task { await fresh.run() }
        }
        // Cancelled, the pool is cancelled; shutting down gracefully, it finishes on its own.
        let last = running
        if Task.isCancelled { last.cancel() }
        await withTaskCancellationHandler { await last.value } onCancel: { last.cancel() }
    }

    /// One connection opened and closed, beside the pool.
    private func probe() async throws {
        let connection = try await PostgresConnection.connect(configuration: try address.connectionConfiguration(), id: 0, logger: logger)
        try await connection.close()
    }

    /// Notes whether the pool itself refused a call (not the database, not the call).
    func notePool(refused: Bool) {
        if refused {
            refusedSince.withLockedValue { $0 = $0 ?? .now }
        } else if refusedSince.withLockedValue({ $0 }) != nil {
            refusedSince.withLockedValue { $0 = nil }
        }
    }

    /// SQLSTATEs of a server that is going away or cannot take the connection: connection
    /// exceptions (class 08), too many connections, and shutdown or start-up (`pg_ctl restart`).
    static func isServerGoing(_ sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || ["53300", "57P01", "57P02", "57P03"].contains(sqlState)
    }

    /// A failure of the connection rather than of the statement: the dialect's 503.
    static func isConnectionFault(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        guard let state = error.serverInfo?[.sqlState] else { return error.code != .server }
        return isServerGoing(state)
    }

    /// A server's refusal logged with its SQLSTATE and message (the error's own description is
    /// generic, so that clients never see it); the store's own errors pass unlogged. A lost
    /// connection is the dialect's 503, not an internal error: `StoreFault.unreached` when nothing
    /// of the call was `sent`, else `StoreFault.lost`.
    func logged(_ error: any Error, sent: Bool) -> any Error {
        if error is CanonicalError { return error }
        if !sent { notePool(refused: (error as? ConnectionPoolError) == .connectionCreationCircuitBreakerTripped) }
        if !sent || Self.isConnectionFault(error) {
            logger.warning("postgres connection failed", metadata: [
                "error": .string((error as? PSQLError).map { "\($0.code)" + ($0.serverInfo?[.sqlState].map { " \($0)" } ?? "") } ?? "\(type(of: error))"),
                "sent": .string(sent ? "yes" : "no")])
            return sent ? StoreFault.lost : StoreFault.unreached
        }
        if let error = error as? PSQLError {
            logger.error("postgres statement failed", metadata: [
                "sqlstate": .string(error.serverInfo?[.sqlState] ?? "-"), "message": .string(error.serverInfo?[.message] ?? "\(error.code)"),
                "statement": .string(error.query?.sql ?? "-"),
            ])
        }
        return error
    }

    /// A write that must see no other gateway's write between its checks and its change (the
    /// uniqueness and all-or-nothing rules): writes take one transaction-scoped advisory lock,
    /// so gateways on one schema write one at a time, as one SQLite writer does; reads and
    /// job claims do not take it.
    ///
    /// A write whose checks concern only some values (an image's Foreman name and uuid) names
    /// them in `keys` instead: it waits only for writes of the same values, taken in one order so
    /// two never wait for each other, and commits beside the others (PostgreSQL then shares
    /// their WAL flushes, where one lock would make each wait for the previous one's).
    @discardableResult
    func write<T: Sendable>(keys: [String]? = nil, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction { connection in
            if let keys {
                for key in Set(keys).sorted() {
                    try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || \(key), 0))", logger: logger)
                }
            } else {
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(hashtext(current_schema())::bigint # \(PGMigrator.writeLockKey))", logger: logger)
            }
            return try await body(connection)
        }
    }

    /// A read or single statement on any pooled connection.
    @discardableResult
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await ready()
        var sent = false
        do {
            return try await client.withConnection { connection in
                sent = true
                notePool(refused: false)
                return try await body(connection)
            }
        } catch {
            throw logged(error, sent: sent)
        }
    }
}

/// The store cannot be used (its schema failed to migrate); the reason is for the log and /readyz.
struct PGUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// Opens once; everyone waiting, and everyone after, gets the same outcome.
final class ReadyGate: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Void, any Error>])
        /// Not open yet, and not worth waiting for: callers are refused with this at once.
        case unreachable(any Error)
        case open((any Error)?)
    }
    private let state = NIOLockedValueBox<State>(.waiting([]))

    func open(_ error: (any Error)?) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, any Error>] in
            defer { state = .open(error) }
            guard case .waiting(let waiters) = state else { return [] }
            return waiters
        }
        for waiter in waiters {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
    }

    /// Refuses those waiting and those to come with `error` until `open`.
    func unreachable(_ error: any Error) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, any Error>] in
            if case .open = state { return [] }
            defer { state = .unreachable(error) }
            guard case .waiting(let waiters) = state else { return [] }
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    func wait() async throws {
        switch state.withLockedValue({ $0 }) {
        case .open(let error?): throw error
        case .open(nil): return
        case .unreachable(let error): throw error
        case .waiting: break
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: (any Error)?? = state.withLockedValue { state in
                switch state {
                case .waiting(let waiters):
                    state = .waiting(waiters + [continuation])
                    return nil
                case .unreachable(let error):
                    return .some(error)
                case .open(let error):
                    return .some(error)
                }
            }
            if let outcome {
                if let error = outcome { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
    }
}
