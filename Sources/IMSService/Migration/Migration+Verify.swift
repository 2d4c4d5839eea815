import Foundation
import IMSModel

extension Migration {
    /// One kind's comparison after a copy: its counts on both sides, and the records (by id)
    /// missing from the target or holding other values there.
    public struct Check: Sendable, Equatable {
        public var kind: Kind
        public var source: Int
        public var target: Int
        public var missing: [String]
        public var differing: [String]
        /// The first differing record as each side holds it.
        public var example: (source: String, target: String)?

        public static func == (a: Check, b: Check) -> Bool {
            (a.kind, a.source, a.target, a.missing, a.differing) == (b.kind, b.source, b.target, b.missing, b.differing)
        }

        public var holds: Bool { source == target && missing.isEmpty && differing.isEmpty }
    }

    /// Compares every record the copy covers, field by field in the canonical model, with
    /// times to the millisecond (what PostgreSQL keeps), images with their bytes' size and MD5.
    /// An upload still open is not copied (its client starts it again on the new backend), so
    /// only complete bytes count.
    /// Jobs still running at the source are not the copy's, so they are not counted.
    public func verify() async throws -> [Check] {
        var checks: [Check] = []
        for kind in Kind.allCases {
            let ours = try await Self.fingerprints(kind, of: source)
            let theirs = try await Self.fingerprints(kind, of: StoresSource(target))
            let missing = ours.keys.filter { theirs[$0] == nil }.sorted()
            let differing = ours.keys.filter { theirs[$0] != nil && theirs[$0] != ours[$0] }.sorted()
            checks.append(Check(kind: kind, source: ours.count, target: theirs.count, missing: missing, differing: differing,
                                example: differing.first.map { (ours[$0]!, theirs[$0]!) }))
        }
        return checks
    }

    /// Every record of a kind as text to compare, by its id.
    static func fingerprints(_ kind: Kind, of records: any MigrationSource) async throws -> [String: String] {
        var prints: [String: String] = [:]
        var offset = 0
        let encoder = JSONValueEncoder()
        while true {
            let page = try await records.page(kind, offset: offset, limit: 100)
            for record in page {
                let (key, value): (String, JSONValue?) = switch record {
                case .user(let u): ("\(u.id)", try encoder.encode(u))
                case .entry(let e): ("\(e.kind.rawValue) \(e.id)", try encoder.encode(e))
                case .image(let image, let file):
                    ("\(image.id ?? 0)", try encoder.encode(image).merging(["bytes": file.map { "\($0.size) \($0.md5)" } ?? "none"]))
                case .application(let a): ("\(a.id ?? 0)", try encoder.encode(a))
                case .instance(let i, let members):
                    ("\(i.id ?? 0)", try encoder.encode(i).merging(["members": members.sorted().map(String.init).joined(separator: ",")]))
                case .share(let s): (s.shareId, try encoder.encode(s))
                case .job(let j): (j.jobId, j.status == .successful || j.status == .failed ? try encoder.encode(j) : nil)
                }
                if let value { prints[key] = CanonicalDiff.text(Self.toMilliseconds(value)) }
            }
            offset += page.count
            if page.count < 100 { return prints }
        }
    }

    /// Times (seconds since 2001, as the encoder writes them) to whole milliseconds.
    static func toMilliseconds(_ value: JSONValue) -> JSONValue {
        switch value {
        case .double(let d): .double((d * 1000).rounded() / 1000)
        case .array(let a): .array(a.map(toMilliseconds))
        case .object(let o): .object(o.mapValues(toMilliseconds))
        default: value
        }
    }
}

extension JSONValue {
    /// An object with `extra`'s keys added as strings.
    func merging(_ extra: [String: String]) -> JSONValue {
        guard case .object(var o) = self else { return self }
        for (key, value) in extra { o[key] = .string(value) }
        return .object(o)
    }
}
