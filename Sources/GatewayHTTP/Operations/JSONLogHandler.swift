import Foundation
import IMSModel
import Logging

/// Structured logs: one JSON object per line (time, level, label, message and metadata), the
/// form log pipelines (Loki, Elasticsearch, CloudWatch) ingest without parsing rules.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) {
        self.label = label
    }

    /// Writes the lines still pending (call before the process exits).
    public static func flush() { LogSink.standardError.flush() }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: JSONValue] = [
            "ts": .string(CanonicalTime.format(Date())),
            "level": .string(event.level.rawValue), "logger": .string(label), "message": .string(event.message.description),
        ]
        if let error = event.error { fields["error"] = .string("\(error)") }
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            fields[key] = Self.json(value)
        }
        let line = JSONValue.object(fields).serialized + "\n"
        LogSink.standardError.write(line)
    }

    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let s): .string(s)
        case .stringConvertible(let c):
            if let n = c as? Int { .int(Int64(n)) } else if let d = c as? Double { .double(d) } else { .string(c.description) }
        case .array(let items): .array(items.map(json))
        case .dictionary(let d): .object(d.mapValues(json))
        }
    }
}
