import Foundation

/// What a running or finished `ims-gateway migrate` tells the console, beside its checkpoint
/// (`<checkpoint>.status`): the checkpoint says where to resume, not how many there are in all,
/// how fast it goes, or what the verification found. Written at most once a second and at the
/// end, each time whole (a temporary file renamed), so a reader never sees half of one.
public struct MigrationStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case copying, verifying, verified, differs, failed
    }

    public struct KindProgress: Codable, Sendable, Equatable {
        /// The kind, `catch-up ` before it in the second pass.
        public var kind: String
        public var scanned: Int
        public var total: Int
        public var copied: Int
        public var bytes: Int64
        public var totalBytes: Int64
        public var started: Date
        public var updated: Date
        /// Where `scanned` stood when this run took the kind up (a resumed run's rate counts
        /// only what it scanned itself); `started` is when the kind before it ended.
        public var scannedAtStart: Int

        public var itemsPerSecond: Double {
            let seconds = updated.timeIntervalSince(started)
            return seconds > 0 ? Double(scanned - scannedAtStart) / seconds : 0
        }

        /// Seconds left at the current rate (`nil`: no rate yet).
        public var secondsLeft: Double? {
            guard scanned < total else { return 0 }
            let rate = itemsPerSecond
            return rate > 0 ? Double(total - scanned) / rate : nil
        }

        enum CodingKeys: String, CodingKey {
            case kind, scanned, total, copied, bytes, started, updated
            case totalBytes = "total_bytes", scannedAtStart = "scanned_at_start"
        }
    }

    public struct Verification: Codable, Sendable, Equatable {
        public var kind: String
        public var source: Int
        public var target: Int
        public var missing: [String]
        public var differing: [String]
        public var holds: Bool

        public init(_ check: Migration.Check) {
            kind = check.kind.rawValue
            source = check.source
            target = check.target
            missing = Array(check.missing.prefix(20))
            differing = Array(check.differing.prefix(20))
            holds = check.holds
        }
    }

    public var from: String
    public var to: String
    public var pid: Int32
    public var started: Date
    public var updated: Date
    public var state: State
    /// Why it stopped, when it failed.
    public var error: String?
    public var kinds: [KindProgress] = []
    public var verification: [Verification] = []
    /// Each kind's `scanned` in the checkpoint this run resumed from (absent: from nothing).
    public var resumedAt: [String: Int] = [:]

    public init(from: String, to: String, resuming checkpoint: MigrationCheckpoint? = nil, pid: Int32 = getpid(), now: Date = Date()) {
        self.from = from
        self.to = to
        self.pid = pid
        resumedAt = checkpoint?.kinds.mapValues(\.scanned) ?? [:]
        started = now
        updated = now
        state = .copying
    }

    enum CodingKeys: String, CodingKey {
        case from, to, pid, started, updated, state, error, kinds, verification
        case resumedAt = "resumed_at"
    }

    /// The status file beside a checkpoint.
    public static func path(beside checkpoint: String) -> String { checkpoint + ".status" }

    /// Takes one batch's progress in.
    public mutating func record(_ p: Migration.Progress, now: Date = Date()) {
        let name = (p.catchUp ? "catch-up " : "") + p.kind.rawValue
        // Progress comes after each batch: a kind seen first began when the one before it ended.
        let kindStarted = kinds.last?.updated ?? started
        updated = now
        if let i = kinds.firstIndex(where: { $0.kind == name }) {
            kinds[i].scanned = p.scanned
            kinds[i].total = p.total
            kinds[i].copied = p.copied
            kinds[i].bytes = p.bytes
            kinds[i].totalBytes = p.totalBytes
            kinds[i].updated = now
        } else {
            kinds.append(KindProgress(kind: name, scanned: p.scanned, total: p.total, copied: p.copied, bytes: p.bytes,
                                      totalBytes: p.totalBytes, started: kindStarted, updated: now, scannedAtStart: resumedAt[name] ?? 0))
        }
    }

    /// Takes the verification's result in.
    public mutating func record(_ checks: [Migration.Check], now: Date = Date()) {
        updated = now
        verification = checks.map(Verification.init)
        state = checks.allSatisfy(\.holds) ? .verified : .differs
    }

    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Seconds with their fraction: a kind of a few records is copied within one second.
        encoder.dateEncodingStrategy = .secondsSince1970
        let temporary = path + ".new"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: temporary, contents: try encoder.encode(self)) else {
            throw MigrationError("cannot write the migration status \(temporary)")
        }
        if rename(temporary, path) != 0 { throw MigrationError("cannot rename the migration status into \(path): errno \(errno)") }
    }

    public static func load(_ path: String) throws -> MigrationStatus {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(MigrationStatus.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
