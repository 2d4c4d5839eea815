import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL store is: `postgres://user[:password]@host[:port]/database`, with the
/// password preferably from the environment (`password_env`) so it is in no file. A `schema`
/// keeps one deployment's tables apart from another's in the same database (tests make one each).
public struct PGAddress: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var schema: String?
    var password: String?

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `url`; `passwordEnv` names a variable whose value wins over a password in the URL.
    public init(url: String, passwordEnv: String? = nil, schema: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? ""),
              let host = parts.host, !host.isEmpty else {
            throw Invalid(description: "backend url must look like postgres://user@host:port/database")
        }
        self.host = host
        port = parts.port ?? 5432
        user = parts.user.flatMap { $0.removingPercentEncoding } ?? "ims"
        let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        database = path.isEmpty ? user : path
        password = parts.password.flatMap { $0.removingPercentEncoding }
        if let passwordEnv {
            guard let value = environment[passwordEnv] else {
                throw Invalid(description: "backend password_env names \(passwordEnv), which is not set")
            }
            password = value
        }
        self.schema = schema ?? parts.queryItems?.first { $0.name == "schema" }?.value
        if let s = self.schema, !Self.isPlainName(s) {
            throw Invalid(description: "backend schema must be letters, digits and underscores")
        }
    }

    /// Safe to log: never the password.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)" + (schema.map { "?schema=\($0)" } ?? "")
    }

    static func isPlainName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 63 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            && !(s.first?.isNumber ?? true)
    }

    /// One connection's configuration (the migrator's), as the pool's connections are made.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = isLoopback
            ? .disable : .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        var config = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database,
                                                      tls: tls)
        if let schema { config.options.additionalStartupParameters = [("search_path", "\(schema),public")] }
        return config
    }

    var isLoopback: Bool { host == "localhost" || host.hasPrefix("127.") || host == "::1" }

    /// The client's configuration: TLS off on loopback, preferred elsewhere.
    func clientConfiguration(maxConnections: Int, minConnections: Int = 0, keepAlive: Duration? = nil) -> PostgresClient.Configuration {
        var config = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: isLoopback ? .disable : .prefer(.makeClientConfiguration()))
        config.options.maximumConnections = maxConnections
        // Connections below the minimum stay open and get no idle timer.
        config.options.minimumConnections = max(0, min(minConnections, maxConnections))
        // The pool's keep-alive arms a timer each time a connection goes back to it and cancels
        // it when the connection is taken again: measured at 50-70 µs of CPU per Foreman GET
        // (~220 against ~165 µs, wrk -c32), a quarter of the request. Off unless configured: a
        // connection that died idle is found when next used, and that command is tried again
        // within its deadline (`DeadlineBackend`).
        config.options.keepAliveBehavior = keepAlive.map { PostgresClient.Configuration.Options.KeepAliveBehavior(frequency: $0) }
        // Unqualified names resolve in the schema, then in public (where pg_trgm usually is).
        if let schema { config.options.additionalStartupParameters = [("search_path", "\(schema),public")] }
        // JIT compiles a plan the planner costs high (a count over a large table) for tens of
        // milliseconds, more than such a statement here takes to run without it.
        config.options.additionalStartupParameters.append(("jit", "off"))
        return config
    }
}
