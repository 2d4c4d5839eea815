import Foundation
import IMSModel

/// What a shadow found on one mirrored command: where the secondary's answer (or stored state,
/// read back after a write) differs from the primary's.
public struct ShadowFinding: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Both sides answered and a field differs.
        case differs
        /// A side failed where the other did not, or they failed differently.
        case outcome
        /// A difference on an object a dropped write touched: the secondary missed that write,
        /// so this says nothing about the new backend.
        case missedWrite = "missed write"
    }

    public var at: Date
    public var dialect: String
    public var operation: String
    public var requestId: String
    public var kind: Kind
    public var difference: FieldDifference

    public init(at: Date, dialect: String, operation: String, requestId: String, kind: Kind, difference: FieldDifference) {
        self.at = at
        self.dialect = dialect
        self.operation = operation
        self.requestId = requestId
        self.kind = kind
        self.difference = difference
    }
}

/// What happened to one mirrored command, for the counts by operation.
public enum ShadowOutcome: String, Sendable, CaseIterable {
    case compared, mismatched, dropped, secondaryError = "secondary_error"
}

/// How many mirrored commands of one operation had one outcome, counted since the last time
/// a shadow wrote its counts down.
public struct ShadowCount: Sendable, Hashable {
    public var outcome: ShadowOutcome
    public var operation: String

    public init(_ outcome: ShadowOutcome, operation: String) {
        self.outcome = outcome
        self.operation = operation
    }
}

/// Where a shadow keeps its findings and counts, so `ims-gateway shadow report` can read them
/// after the fact (and from another process). Retention is the log's: it keeps what is newer
/// than the window it was opened with.
public protocol ShadowLog: Sendable {
    func record(_ findings: [ShadowFinding]) async
    /// Adds `counts` to the minute `at` falls in.
    func add(_ counts: [ShadowCount: Int], at: Date) async
}

/// The report `ims-gateway shadow report` prints: counts by operation, the field paths that
/// differ most, and examples with both values.
public struct ShadowReport: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var operation: String
        public var compared: Int
        public var mismatched: Int
        public var dropped: Int
        public var secondaryErrors: Int
        public var mismatchRate: Double { compared == 0 ? 0 : Double(mismatched) / Double(compared) }

        public init(operation: String, compared: Int = 0, mismatched: Int = 0, dropped: Int = 0, secondaryErrors: Int = 0) {
            self.operation = operation
            self.compared = compared
            self.mismatched = mismatched
            self.dropped = dropped
            self.secondaryErrors = secondaryErrors
        }

        enum CodingKeys: String, CodingKey {
            case operation, compared, mismatched, dropped
            case secondaryErrors = "secondary_errors"
        }
    }

    public struct PathCount: Sendable, Codable, Equatable {
        public var operation: String
        public var path: String
        public var kind: String
        public var count: Int

        public init(operation: String, path: String, kind: String, count: Int) {
            self.operation = operation
            self.path = path
            self.kind = kind
            self.count = count
        }
    }

    public struct Example: Sendable, Codable, Equatable {
        public var at: Date
        public var dialect: String
        public var operation: String
        public var requestId: String
        public var kind: String
        public var path: String
        public var primary: String
        public var secondary: String

        public init(at: Date, dialect: String, operation: String, requestId: String, kind: String, path: String,
                    primary: String, secondary: String) {
            self.at = at
            self.dialect = dialect
            self.operation = operation
            self.requestId = requestId
            self.kind = kind
            self.path = path
            self.primary = primary
            self.secondary = secondary
        }

        enum CodingKeys: String, CodingKey {
            case at, dialect, operation, kind, path, primary, secondary
            case requestId = "request_id"
        }
    }

    /// One operation's counts in one hour: the mismatch rate over time, to see whether a fix on
    /// the new backend took (a rate that falls to zero and stays there).
    public struct Hour: Sendable, Codable, Equatable {
        /// The hour's start.
        public var hour: Date
        public var operation: String
        public var compared: Int
        public var mismatched: Int
        public var mismatchRate: Double { compared == 0 ? 0 : Double(mismatched) / Double(compared) }

        public init(hour: Date, operation: String, compared: Int = 0, mismatched: Int = 0) {
            self.hour = hour
            self.operation = operation
            self.compared = compared
            self.mismatched = mismatched
        }
    }

    public var since: Date
    public var operations: [Row]
    public var paths: [PathCount]
    public var examples: [Example]
    /// By hour and operation, oldest first (hours with nothing compared left out).
    public var hours: [Hour]

    public init(since: Date, operations: [Row], paths: [PathCount], examples: [Example], hours: [Hour] = []) {
        self.since = since
        self.operations = operations
        self.paths = paths
        self.examples = examples
        self.hours = hours
    }
}
