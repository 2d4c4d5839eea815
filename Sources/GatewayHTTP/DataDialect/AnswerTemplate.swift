import Foundation
import IMSModel
import Yams

/// An answer written as data: JSON whose `$name` strings are filled from the result
/// (`image_set: $images`, `job_id: $job.id`). Checked when the file is read, so a misspelt
/// name is the file's error at its line, not an empty key in an answer.
struct AnswerTemplate: Sendable {
    indirect enum Part: Sendable {
        case value(JSONValue)
        case fill(String)
        case object([String: Part])
        case array([Part])
    }

    let root: Part
    /// The names used, for checks.
    let names: Set<String>

    /// A job's facts, for the file's `job:` template.
    static let jobFacts: Set<String> = ["id", "action", "status", "zone", "request_id", "created", "began", "finished",
                                        "updated", "info", "owner", "resources", "resources_text", "resource"]
    /// What an action's answer may name.
    static let answerFacts: Set<String> = Set(["images", "image", "total", "jobs", "job"] + jobFacts.map { "job." + $0 })
    /// What the error body may name.
    static let errorFacts: Set<String> = ["code", "message"]

    init(_ json: JSONValue, allowed: Set<String>, at node: Node?, reader: DialectFile.Reader) throws(DialectFileError) {
        var names: Set<String> = []
        func compile(_ value: JSONValue) -> Part {
            switch value {
            case .string(let s) where s.hasPrefix("$"):
                names.insert(String(s.dropFirst()))
                return .fill(String(s.dropFirst()))
            case .object(let o): return .object(o.mapValues(compile))
            case .array(let a): return .array(a.map(compile))
            default: return .value(value)
            }
        }
        root = compile(json)
        self.names = names
        if let unknown = names.subtracting(allowed).sorted().first {
            throw reader.fail(node, "unknown name '$\(unknown)' (known: \(allowed.sorted().map { "$" + $0 }.joined(separator: ", ")))")
        }
    }

    /// The answer, each `$name` replaced by `facts(name)` (null when the result has no such fact).
    func render(_ facts: (String) -> JSONValue?) -> JSONValue {
        func fill(_ part: Part) -> JSONValue {
            switch part {
            case .value(let v): v
            case .fill(let name): facts(name) ?? .null
            case .object(let o): .object(o.mapValues(fill))
            case .array(let a): .array(a.map(fill))
            }
        }
        return fill(root)
    }
}

extension Job {
    /// One of the facts a job template names (`AnswerTemplate.jobFacts`), times in `style`.
    func fact(_ name: String, times style: ValueCodec.TimeStyle) -> JSONValue? {
        let time = { (date: Date?) -> JSONValue in date.map { style.render($0) } ?? "" }
        return switch name {
        case "id": .string(jobId)
        case "action": .string(action)
        case "status": .string(status.rawValue)
        case "zone": .string(zone)
        case "request_id": .string(requestId)
        case "created": time(createdAt)
        case "began": time(beganAt)
        case "finished": time(finishedAt)
        case "updated": time(finishedAt ?? beganAt ?? createdAt)
        case "info": .string(info)
        case "owner": .string(owner)
        case "resources": .array(resourceIds.map { .string($0) })
        case "resources_text": .string(resourceIds.joined(separator: ","))
        case "resource": .string(resourceIds.first ?? "")
        default: nil
        }
    }
}
