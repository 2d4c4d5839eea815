import Hummingbird
import Logging

/// The one log line per request, matched or not: what the client asked (method, path, the
/// query with its credentials taken out), what served it (route template, dialect, operation,
/// backend), and how it went (status, time, bytes each way, the request id the answer carries).
/// An operator reading a failing client's line sees what it sent without seeing its secrets.
struct RequestLog {
    var method: String
    var path: String
    var query: String?
    var requestId: String
    var started: ContinuousClock.Instant
    var bytesIn: Int?
    var template: String?
    var dialect: String?
    var operation: String?
    var backend: String?

    init(_ request: Request, requestId: String, started: ContinuousClock.Instant) {
        method = request.method.rawValue
        path = request.uri.path
        query = request.uri.query
        self.requestId = requestId
        self.started = started
        bytesIn = request.headers[.contentLength].flatMap { Int($0) }
    }

    /// Whether a line would be written: a gateway logging at warning (as benchmarks run it)
    /// does not even gather one.
    static func wanted(by logger: Logger) -> Bool { logger.logLevel <= .info }

    /// Writes the line at info, through `logger` without Hummingbird's own request id (the
    /// line carries the one the answer does).
    func write(status: Int, bytesOut: Int?, to logger: Logger) {
        let duration = ContinuousClock.now - started
        var logger = logger
        logger[metadataKey: "hb.request.id"] = nil
        var metadata: Logger.Metadata = [
            "method": .string(method), "path": .string(path), "status": .stringConvertible(status),
            "request_id": .string(requestId),
            "duration_ms": .stringConvertible((duration.milliseconds * 1000).rounded() / 1000),
        ]
        if let query, !query.isEmpty { metadata["query"] = .string(Self.redacted(query)) }
        if let template { metadata["route"] = .string(template) }
        if let dialect { metadata["dialect"] = .string(dialect) }
        if let operation { metadata["operation"] = .string(operation) }
        if let backend { metadata["backend"] = .string(backend) }
        if let bytesIn { metadata["bytes_in"] = .stringConvertible(bytesIn) }
        if let bytesOut { metadata["bytes_out"] = .stringConvertible(bytesOut) }
        logger.info("request", metadata: metadata)
    }

    /// The query with the value of every parameter that proves who sent the request replaced:
    /// signatures (QingCloud's `signature`, S3's presigned `X-Amz-Signature`, `X-Amz-Credential`,
    /// `X-Amz-Security-Token`), upload tokens, passwords and secrets. Names stay, so the line
    /// still says the request was signed.
    static func redacted(_ query: String) -> String {
        query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> Substring in
            guard let equals = pair.firstIndex(of: "=") else { return pair }
            let name = pair[..<equals].lowercased()
            guard secretWords.contains(where: { name.contains($0) }) else { return pair }
            return pair[...equals] + "…"
        }.joined(separator: "&")
    }

    static let secretWords = ["signature", "credential", "token", "secret", "password", "passwd", "sessionkey"]
}
