import GatewayHTTP
import IMSModel

/// Reading loosely typed parameters (query strings and form fields are all text) the same way
/// in every dialect; the error names the dialect's own parameter.
enum Parameters {
    /// An integer from a JSON value or its text; `nil` when absent or empty.
    static func int(_ value: JSONValue?, name: String) throws(CanonicalError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .int(let n)?: return Int(clamping: n)
        case .double(let d)? where d == d.rounded() && abs(d) < 9e15: return Int(d)
        case .string(let s)?:
            let t = s.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return nil }
            guard let n = Int(t) else { throw .invalidParameter(field: name, message: "must be an integer") }
            return n
        default: throw .invalidParameter(field: name, message: "must be an integer")
        }
    }

    static func string(_ value: JSONValue?, name: String) throws(CanonicalError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case .int(let n)?: return String(n)
        default: throw .invalidParameter(field: name, message: "must be a string")
        }
    }

    static func bool(_ value: JSONValue?, name: String) throws(CanonicalError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case .string(let s)? where ["true", "1"].contains(s.lowercased()): return true
        case .string(let s)? where ["false", "0", ""].contains(s.lowercased()): return false
        default: throw .invalidParameter(field: name, message: "must be true or false")
        }
    }

    /// An integer within bounds, or the named parameter's error.
    static func bounded(_ value: JSONValue?, name: String, default fallback: Int, range: ClosedRange<Int>) throws(CanonicalError) -> Int {
        let n = try int(value, name: name) ?? fallback
        guard range.contains(n) else {
            throw .invalidParameter(field: name, message: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return n
    }

    /// The rows a page skips: `(page - 1) × size`, saturating. A page past any count is an empty
    /// page, never an arithmetic trap (`page=4611686018427387905` once stopped the process).
    static func offset(page: Int, size: Int) -> Int {
        let (skipped, overflow) = max(page - 1, 0).multipliedReportingOverflow(by: max(size, 0))
        return overflow ? .max : skipped
    }

    /// Query parameters merged over body fields, so either may carry them.
    static func merged(_ request: DialectRequest) throws(CanonicalError) -> [String: JSONValue] {
        var all = try request.bodyObject()
        for (name, value) in request.query { all[name] = .string(value) }
        return all
    }
}
