import Foundation
import HTTPTypes
@testable import IMSModel
import Testing

/// The request/answer pairs of `Fixtures/<dialect>.json` (copied from shared/examples).
struct SeedCase: Sendable {
    var name: String
    var method: HTTPRequest.Method
    var path: String
    var query: [(String, String)]
    var headers: [String: String]
    var body: GatewayClient.Body
    var status: Int
    var answer: JSONValue

    static func load(_ dialect: String) throws -> [String: SeedCase] {
        let url = TestGateway.repoRoot.appendingPathComponent("Tests/GatewayTests/Fixtures/\(dialect).json")
        let data = try Data(contentsOf: url)
        guard case .array(let cases)? = JSONValue.parse(data)?["cases"] else { throw SeedError.bad(dialect) }
        var out: [String: SeedCase] = [:]
        for c in cases {
            guard let name = c["name"]?.stringValue, let request = c["request"], let response = c["response"] else { continue }
            var query: [(String, String)] = []
            for (k, v) in request["query"]?.objectValue ?? [:] { query.append((k, Self.text(v))) }
            query.sort { $0.0 < $1.0 }
            var headers: [String: String] = [:]
            for (k, v) in request["headers"]?.objectValue ?? [:] { headers[k] = Self.text(v) }
            var body = GatewayClient.Body.none
            if let json = request["json"] {
                body = .json(json)
            } else if let form = request["form"]?.objectValue {
                body = .form(form.keys.sorted().map { ($0, Self.text(form[$0]!)) })
            } else if let raw = request["raw_body"]?.stringValue {
                body = .raw(raw, contentType: request["content_type"]?.stringValue)
            }
            guard case .int(let status)? = response["status"] else { continue }
            out[name] = SeedCase(
                name: name, method: HTTPRequest.Method(request["method"]?.stringValue ?? "GET")!,
                path: request["path"]?.stringValue ?? "/", query: query, headers: headers, body: body,
                status: Int(status), answer: response["body"] ?? .null)
        }
        return out
    }

    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .int(let n): String(n)
        default: v.serialized
        }
    }

    /// The same request with its path rewritten (seed ids → ids of objects this test made).
    func at(_ path: String) -> SeedCase {
        var copy = self
        copy.path = path
        return copy
    }

    func send(_ client: GatewayClient) async throws -> Reply {
        try await client.send(method, path, query: query, headers: headers, body: body)
    }
}

enum SeedError: Error { case bad(String) }

/// Checks an answer against the seed's: same status, and every key of the seed's answer present
/// with a value of the same JSON type, recursively (list items against the seed's first item).
/// Values are compared for the keys in `equal` (paths like `data.name`).
func expectConforms(_ reply: Reply, to seed: SeedCase, equal: [String] = [],
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let problems = conformanceProblems(reply, to: seed, equal: equal)
    #expect(problems.isEmpty, "\(seed.name): \(problems.joined(separator: "; "))\n\(reply.text)", sourceLocation: sourceLocation)
}

/// What differs between an answer and the seed's: the status, any key of the seed's answer missing
/// or of another JSON type (list items against the seed's first item), and the values at `equal`.
func conformanceProblems(_ reply: Reply, to seed: SeedCase, equal: [String] = []) -> [String] {
    var problems: [String] = []
    if reply.status != seed.status { problems.append("status \(reply.status), expected \(seed.status)") }
    guard let actual = reply.json else {
        if case .string = seed.answer { return problems }  // a byte stream, compared by the caller
        return problems + ["answer is not JSON: \(reply.text.prefix(200))"]
    }
    shapeDiff(expected: seed.answer, actual: actual, path: "", into: &problems)
    for path in equal {
        let e = lookup(seed.answer, path), a = lookup(actual, path)
        if e != a { problems.append("\(path): expected \(e?.serialized ?? "nothing"), got \(a?.serialized ?? "nothing")") }
    }
    return problems
}

func lookup(_ value: JSONValue, _ path: String) -> JSONValue? {
    var current: JSONValue? = value
    for part in path.split(separator: ".") {
        if let index = Int(part), case .array(let a)? = current {
            current = index < a.count ? a[index] : nil
        } else {
            current = current?[String(part)]
        }
    }
    return current
}

func shapeDiff(expected: JSONValue, actual: JSONValue, path: String, into problems: inout [String]) {
    switch (expected, actual) {
    case (.object(let e), .object(let a)):
        for (key, value) in e {
            let p = path.isEmpty ? key : "\(path).\(key)"
            guard let av = a[key] else { problems.append("missing \(p)"); continue }
            shapeDiff(expected: value, actual: av, path: p, into: &problems)
        }
    case (.array(let e), .array(let a)):
        guard let first = e.first else { return }
        for (i, item) in a.enumerated() { shapeDiff(expected: first, actual: item, path: "\(path).\(i)", into: &problems) }
    case (.null, _):
        // The seeds show null where a value may be absent: any value conforms.
        return
    case (.int, .int), (.int, .double), (.double, .int), (.double, .double), (.string, .string), (.bool, .bool):
        return
    default:
        problems.append("\(path): expected \(kind(expected)), got \(kind(actual))")
    }
}

private func kind(_ v: JSONValue) -> String {
    switch v {
    case .null: "null"
    case .bool: "bool"
    case .int, .double: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    case .encoded: "encoded JSON"
    }
}

extension SeedCase {
    /// The seed request's JSON object body; `nil` (for `try #require`) when it sends another.
    var jsonFields: [String: JSONValue]? {
        if case .json(.object(let fields)) = body { fields } else { nil }
    }

    /// The seed request's body as curl sends it (text and content type), if it is given raw.
    var rawBody: (text: String, contentType: String?)? {
        if case .raw(let text, let type) = body { (text, type) } else { nil }
    }
}

extension CommandResult {
    /// The image of an `.image` result; `nil` (for `try #require`) for any other result.
    var imageView: ImageView? {
        if case .image(let view) = self { view } else { nil }
    }

    /// The ticket of an `.uploadTicket` result; `nil` for any other.
    var uploadTicket: UploadTicket? {
        if case .uploadTicket(let ticket) = self { ticket } else { nil }
    }

    /// The page of an `.images` result; `nil` for any other.
    var imagePage: ImagePage? {
        if case .images(let page) = self { page } else { nil }
    }
}

extension JSONValue {
    /// An integer value; `nil` (for `try #require`) for any other.
    var int: Int64? {
        if case .int(let n) = self { n } else { nil }
    }
}
