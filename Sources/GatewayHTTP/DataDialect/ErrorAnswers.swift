import Foundation
import HTTPTypes
import IMSModel
import Yams

/// How a data dialect answers errors: one status (an action API may answer 200), a body template with
/// `$code` and `$message`, and per canonical error kind a code and a message whose `$field`,
/// `$why`, `$id`, `$kind` and `$text` are filled from the error.
struct ErrorAnswers: Sendable {
    struct Kind: Sendable {
        var code: Int64
        var message: String
        var status: HTTPResponse.Status?
    }

    let status: HTTPResponse.Status
    let body: AnswerTemplate
    let kinds: [String: Kind]

    /// Every kind of `CanonicalError`: a file must say how each is answered (or give `default`).
    static let canonicalKinds: [String] = ["notFound", "invalidParameter", "malformedBody", "conflict", "rejected", "unauthorized",
                                           "forbidden", "internal", "unavailable", "tooLarge", "noRoute"]

    init(_ node: Node, reader: DialectFile.Reader, fields: FieldSlots) throws(DialectFileError) {
        let spec = try reader.mapping(node, "errors")
        try reader.onlyKeys(spec, ["status", "body", "kinds"], "errors")
        status = HTTPResponse.Status(code: spec["status"]?.int ?? 400)
        body = try AnswerTemplate(reader.json(spec["body"] ?? node), allowed: AnswerTemplate.errorFacts, at: spec["body"], reader: reader)
        var kinds: [String: Kind] = [:]
        for (key, value) in try reader.mapping(spec["kinds"] ?? node, "errors.kinds") {
            let name = try reader.string(key, "an error kind")
            guard Self.canonicalKinds.contains(name) || name == "default" else {
                throw reader.fail(key, "unknown error kind '\(name)' (known: \(Self.canonicalKinds.joined(separator: ", ")), default)")
            }
            let entry = try reader.mapping(value, "errors.kinds.\(name)")
            try reader.onlyKeys(entry, ["code", "message", "status"], "errors.kinds.\(name)")
            guard let code = entry["code"]?.int else { throw reader.fail(value, "errors.kinds.\(name).code must be a number") }
            kinds[name] = Kind(code: Int64(code), message: try reader.string(entry["message"] ?? value, "errors.kinds.\(name).message"),
                               status: entry["status"]?.int.map { HTTPResponse.Status(code: $0) })
        }
        if kinds["default"] == nil, let missing = Self.canonicalKinds.first(where: { kinds[$0] == nil }) {
            throw reader.fail(spec["kinds"], "errors.kinds has no '\(missing)' (give it, or a 'default')")
        }
        self.kinds = kinds
    }

    /// The dialect's answer to `error`; `key` names a canonical field as the dialect does.
    func answer(_ error: CanonicalError, key: (String) -> String) -> DialectResponse {
        let kind = kinds[error.kind] ?? kinds["default"]!
        var fills: [String: String] = ["$kind": error.kind, "$text": error.description, "$why": error.description,
                                       "$field": "", "$id": ""]
        switch error {
        case .invalidParameter(let field, let why), .conflict(let field, let why):
            (fills["$field"], fills["$why"]) = (key(field), why)
        case .notFound(let kind, let id): (fills["$kind"], fills["$id"]) = (kind, id)
        case .malformedBody(let why), .rejected(_, let why), .unauthorized(let why), .forbidden(let why),
             .internal(let why), .unavailable(let why):
            fills["$why"] = why
        case .tooLarge, .noRoute: break
        }
        let message = Self.fill(kind.message, fills)
        let body = self.body.render { name in
            switch name {
            case "code": .int(kind.code)
            case "message": .string(message)
            default: nil
            }
        }
        return DialectResponse(status: kind.status ?? status, body: body)
    }

    /// `text` with each `$name` of `fills` replaced, in one pass (a filled value is not read again).
    static func fill(_ text: String, _ fills: [String: String]) -> String {
        var out = "", rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            rest = rest[dollar...]
            let name = "$" + rest.dropFirst().prefix { $0.isLetter || $0 == "_" }
            if let value = fills[String(name)] {
                out += value
                rest = rest.dropFirst(name.count)
            } else {
                out += "$"
                rest = rest.dropFirst()
            }
        }
        return out + rest
    }
}
