import Foundation
import IMSModel

/// One place where two canonical answers differ, by canonical field path
/// (`image.name`, `images.items[].size`): the same path for every dialect that asked.
public struct FieldDifference: Sendable, Equatable, Codable {
    public var path: String
    /// The values as JSON text, secrets masked; `null` where a side has no such field.
    public var primary: String
    public var secondary: String

    public init(path: String, primary: String, secondary: String) {
        self.path = path
        self.primary = primary
        self.secondary = secondary
    }
}

/// The rules two answers are compared by, per canonical field path (DESIGN §7). A rule names a
/// path with `[]` for every list element (`images.items[].checksum`); a path's rule covers what
/// is under it.
public struct DiffRules: Sendable, Equatable {
    /// Not compared at all (noise a store may legitimately differ in).
    public var ignore: Set<String>
    /// Lists compared as multisets: the order of their elements is not part of the answer.
    public var unordered: Set<String>
    /// Values each side assigns for itself: compared for presence only.
    public var serverAssigned: Set<String>
    /// Times (seconds) within this of each other are equal: a store that keeps whole
    /// milliseconds (PostgreSQL) beside one that keeps more (SQLite).
    public var timeTolerance: Double

    public init(ignore: Set<String> = [], unordered: Set<String> = [], serverAssigned: Set<String> = [],
                timeTolerance: Double = 0.001) {
        self.ignore = ignore
        self.unordered = unordered
        self.serverAssigned = serverAssigned
        self.timeTolerance = timeTolerance
    }

    /// What ships: a job's progress is the secondary's own worker's, read at another moment,
    /// so where it has got to is not a difference; everything else must agree, since both
    /// sides were handed the same minted ids and times.
    public static let shipped = DiffRules(
        ignore: ["job.status", "job.beganAt", "job.finishedAt", "job.info",
                 "jobs.items[].status", "jobs.items[].beganAt", "jobs.items[].finishedAt", "jobs.items[].info"])

    /// Field names whose values never leave the gateway in a record of differences.
    static let secretNames: Set<String> = ["password", "secret", "token", "uploadToken", "accessKey", "secretKey", "userData"]

    func rule(for path: String) -> Rule {
        var prefix = Substring(path)
        while true {
            let key = String(prefix)
            if ignore.contains(key) { return .ignore }
            if serverAssigned.contains(key) { return .presence }
            guard let cut = prefix.lastIndex(of: ".") else { return .exact }
            prefix = prefix[..<cut]
        }
    }

    enum Rule { case exact, ignore, presence }
}

/// Compares two canonical values (a `CommandResult` as `JSONValueEncoder` writes it) field by
/// field. Pure: the same two values and rules always give the same differences.
public struct CanonicalDiff: Sendable {
    public var rules: DiffRules

    public init(rules: DiffRules = .shipped) { self.rules = rules }

    public func differences(_ primary: JSONValue, _ secondary: JSONValue, at root: String = "") -> [FieldDifference] {
        var found: [FieldDifference] = []
        walk(Self.unwrapped(primary), Self.unwrapped(secondary), path: root, into: &found)
        return found
    }

    private func walk(_ a: JSONValue?, _ b: JSONValue?, path: String, into found: inout [FieldDifference]) {
        switch rules.rule(for: path) {
        case .ignore: return
        case .presence:
            if (a == nil || a == .null) != (b == nil || b == .null) { found.append(difference(path, a, b)) }
            return
        case .exact: break
        }
        switch (a.map(Self.unwrapped), b.map(Self.unwrapped)) {
        case (.object(let x)?, .object(let y)?):
            // A view that holds its entity under the result's own name (`image.image`) reads
            // as one level: `image.name`.
            let last = path.split(separator: ".").last.map(String.init)
            for key in Set(x.keys).union(y.keys).sorted() {
                walk(x[key], y[key], path: path.isEmpty ? key : last == key ? path : path + "." + key, into: &found)
            }
        case (let x?, let y?) where x.arrayValue != nil && y.arrayValue != nil:
            let (xs, ys) = (x.arrayValue!, y.arrayValue!)
            let element = path + "[]"
            if rules.unordered.contains(path) {
                if Self.multiset(xs) != Self.multiset(ys) { found.append(difference(path, x, y)) }
                return
            }
            if xs.count != ys.count { found.append(difference(path + ".count", .int(Int64(xs.count)), .int(Int64(ys.count)))) }
            for (u, v) in zip(xs, ys) { walk(u, v, path: element, into: &found) }
        case (.double(let x)?, .double(let y)?) where Self.isTime(path):
            if abs(x - y) > rules.timeTolerance { found.append(difference(path, a, b)) }
        case (let x, let y):
            if !Self.equal(x, y) { found.append(difference(path, a, b)) }
        }
    }

    /// Codable writes an enum case's payload under `_0`; the path names the case, not the slot.
    static func unwrapped(_ value: JSONValue) -> JSONValue {
        if case .object(let o) = value, o.count == 1, let only = o["_0"] { return unwrapped(only) }
        return value
    }

    static func isTime(_ path: String) -> Bool {
        let last = path.split(separator: ".").last.map(String.init) ?? path
        return last.hasSuffix("At") || last.hasSuffix("Time") || last == "at"
    }

    static func equal(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (nil, nil), (nil, .null?), (.null?, nil): true
        case (.int(let x)?, .double(let y)?), (.double(let y)?, .int(let x)?): Double(x) == y
        case (.encoded(let x)?, let y?), (let y?, .encoded(let x)?):
            JSONValue.parse(x.utf8).map { equal($0, y) } ?? false
        case (let x?, let y?): x == y
        default: false
        }
    }

    static func multiset(_ values: [JSONValue]) -> [String: Int] {
        values.reduce(into: [:]) { $0[text(unwrapped($1)), default: 0] += 1 }
    }

    private func difference(_ path: String, _ a: JSONValue?, _ b: JSONValue?) -> FieldDifference {
        let field = path.split(separator: ".").last.map { String($0.replacingOccurrences(of: "[]", with: "")) } ?? path
        let secret = DiffRules.secretNames.contains(field)
        func shown(_ v: JSONValue?) -> String {
            guard let v, v != .null else { return "null" }
            return secret ? "\"***\"" : Self.text(v, masked: true)
        }
        return FieldDifference(path: path, primary: shown(a), secondary: shown(b))
    }

    /// JSON text with keys in order, so equal values read the same; `masked`, a secret's value
    /// reads `***` (what a record of differences shows).
    static func text(_ value: JSONValue, masked: Bool = false) -> String {
        let text = { (v: JSONValue) in Self.text(v, masked: masked) }
        return switch value {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .string(let s): "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .array(let a): "[" + a.map(text).joined(separator: ",") + "]"
        case .object(let o):
            "{" + o.keys.sorted().map { key in
                text(.string(key)) + ":" + (masked && DiffRules.secretNames.contains(key) && o[key] != .null ? "\"***\"" : text(o[key]!))
            }.joined(separator: ",") + "}"
        case .encoded(let t): JSONValue.parse(t.utf8).map(text) ?? t
        }
    }
}
