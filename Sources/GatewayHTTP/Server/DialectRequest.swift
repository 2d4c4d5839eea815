import Foundation
import HTTPTypes
import IMSModel
import NIOCore

/// A request as a dialect sees it: the matched route, its parameters, the query, headers and the
/// collected body. Parsing helpers here are shared by every dialect; what to do with a malformed
/// body is each dialect's own answer.
public struct DialectRequest: Sendable {
    public var operation: Operation
    public var route: Route
    public var parameters: [String: String]
    public var query: [(name: String, value: String)]
    public var headers: HTTPFields
    public var body: ByteBuffer
    public var requestId: String
    /// Base URL clients reach this gateway at (for URLs it hands out, such as upload targets).
    public var publicURL: String = ""
    /// The request's method and path as sent (percent-escapes kept), for what is signed over them.
    public var method: HTTPRequest.Method
    public var path: String

    public init(route: Route, parameters: [String: String], query: [(name: String, value: String)] = [],
                headers: HTTPFields = [:], body: ByteBuffer = ByteBuffer(), requestId: String) {
        self.operation = route.operation
        self.route = route
        self.parameters = parameters
        self.query = query
        self.headers = headers
        self.body = body
        self.requestId = requestId
        method = route.method
        path = route.template
    }

    public func parameter(_ name: String) -> String? { parameters[name] }

    /// A header by name; `nil` when absent or empty. Takes a made `HTTPField.Name`: making one
    /// validates and lower-cases it, which a dialect does once, not per request.
    public func header(_ name: HTTPField.Name) -> String? {
        headers.value(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Last value of a query parameter.
    public func queryValue(_ name: String) -> String? {
        query.last { $0.name == name }?.value
    }

    public func queryValues(_ name: String) -> [String] {
        query.filter { $0.name == name }.map(\.value)
    }

    /// Whether the body holds anything but white space.
    public var hasBody: Bool {
        body.readableBytesView.contains { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
    }

    /// The body as JSON when it looks like JSON, whatever the content type claims (the 51idc
    /// seed's curl sends JSON as a form); otherwise as form fields. Empty → empty object.
    public func bodyObject() throws(CanonicalError) -> [String: JSONValue] {
        guard hasBody else { return [:] }
        let first = body.readableBytesView.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        let contentType = headers.value(.contentType) ?? ""
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || contentType.contains("json") {
            guard let value = JSONValue.parse(body.readableBytesView) else {
                throw .malformedBody("the body is not valid JSON")
            }
            guard case .object(let object) = value else { throw .malformedBody("the body must be a JSON object") }
            return object
        }
        return try Self.parseForm(String(buffer: body)).reduce(into: [:]) { $0[$1.name] = .string($1.value) }
    }

    /// `a=1&b=x+y` → pairs, percent-decoded. An invalid escape (`%FF%FE`, `%G1`, a cut `%4`) is
    /// the caller's malformed input, not a literal to keep: `what` names the part for the error.
    public static func parseForm(_ text: String, what: String = "the body") throws(CanonicalError) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first, !name.isEmpty else { continue }
            pairs.append((try decode(name, what), parts.count > 1 ? try decode(parts[1], what) : ""))
        }
        return pairs
    }

    private static func decode(_ s: Substring, _ what: String) throws(CanonicalError) -> String {
        // Most names and values need no decoding; Foundation's two passes cost microseconds.
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(s) }
        guard let decoded = s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
            throw .malformedBody("\(what) has an invalid percent-escape (or one that is not UTF-8)")
        }
        return decoded
    }
}
