import Foundation
import IMSModel
import IMSService
import PostgresNIO

/// A statement assembled in pieces, each value a bind (`$n`), never text in the SQL. Column
/// names come from the callers' field enums, never from a request.
struct PGSQL {
    var sql = ""
    var binds = PostgresBindings()

    init(_ sql: String = "") { self.sql = sql }

    /// Appends a value as the next bind and answers its placeholder.
    mutating func bind<T: PostgresDynamicTypeEncodable>(_ value: T) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// An optional value; a NULL is sent without a type, so the SQL casts it where the server
    /// cannot infer one (`$1::bigint`).
    mutating func bind<T: PostgresDynamicTypeEncodable>(_ value: T?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func append(_ text: String) { sql += text }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }

    /// A time as the stores keep it: whole milliseconds, as the SQLite store writes them, so
    /// both stores answer the same instant.
    static func time(_ date: Date) -> PGTime { PGTime(date) }

    /// `%…%` for a substring match, with `\`, `%` and `_` taken literally (ESCAPE '\').
    static func containsPattern(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    /// SQLite's `LIKE '%kw%'` on a list keyword (used with `ESCAPE ''`: `\` literal, `_` any one
    /// character); `%` in the keyword is dropped or, where the store keeps it, a wildcard too.
    static func keywordPattern(_ text: String, dropPercent: Bool) -> String {
        "%" + (dropPercent ? text.replacingOccurrences(of: "%", with: "") : text) + "%"
    }

    /// A list window's keyword matched against `columns` (ASCII case folded, as SQLite's LIKE).
    mutating func keywords(_ words: String, dropPercent: Bool, _ columns: [String]) -> String {
        guard PGSQL.storable(words) else { return "FALSE" }
        let pattern = bind(Self.keywordPattern(words, dropPercent: dropPercent))
        return "(" + columns.map { "ims_nocase(\($0)) LIKE ims_nocase(\(pattern)) ESCAPE ''" }.joined(separator: " OR ") + ")"
    }

    /// A list window's order: its column (creation by default), then the row id, one direction.
    static func order(_ window: ListWindow, table: String) -> String {
        let column = switch window.order {
        case .name: "\(table).name COLLATE \"C\""
        case .updated: "\(table).updatedAt"
        case .created, nil: "\(table).createdAt"
        }
        let direction = window.ascending ? "ASC NULLS FIRST" : "DESC NULLS LAST"
        return " ORDER BY \(column) \(direction), \(table).id \(direction)"
    }

    /// PostgreSQL's text holds no NUL byte; a value with one can match no stored text.
    static func storable(_ text: String) -> Bool { !text.holdsNUL }
}

/// A time in whole milliseconds, exact on the wire both ways. The SQLite store writes a time as
/// GRDB's text (the nearest millisecond) and reads it back as whole seconds plus milliseconds;
/// a `Date` bound as it is would reach PostgreSQL truncated to the microsecond below
/// (…00.001 as …00.000999) and come back a different `Date` (the replay tests found it).
struct PGTime: PostgresNonThrowingEncodable, PostgresDecodable {
    /// Milliseconds since 1970.
    var millis: Int64

    init(_ date: Date) { millis = Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// As `StoredDate` reads the SQLite store's times, to the same `Date`.
    var date: Date {
        let (seconds, ms) = millis.quotientAndRemainder(dividingBy: 1000)
        let (s, m) = ms < 0 ? (seconds - 1, ms + 1000) : (seconds, ms)
        return Date(timeIntervalSinceReferenceDate: Double(s - 978_307_200) + Double(m) / 1_000)
    }

    /// PostgreSQL's epoch (2000-01-01) in milliseconds since 1970.
    static let postgresEpoch: Int64 = 946_684_800_000

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<E: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<E>) {
        buffer.writeInteger((millis - Self.postgresEpoch) * 1000)
    }

    init<D: PostgresJSONDecoder>(from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
                                 context: PostgresDecodingContext<D>) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary, buffer.readableBytes == 8,
              let micros = buffer.readInteger(as: Int64.self) else { throw PostgresDecodingError.Code.typeMismatch }
        // Floor division: a stored time is whole milliseconds, but one written otherwise reads as
        // the millisecond it falls in.
        let (q, r) = micros.quotientAndRemainder(dividingBy: 1000)
        millis = (r < 0 ? q - 1 : q) + Self.postgresEpoch
    }
}

/// Reads a row's cells left to right, as the SELECT lists them.
struct PGColumns {
    var cells: PostgresRow.Iterator

    init(_ row: PostgresRow) { cells = row.makeIterator() }

    mutating func next<T: PostgresDecodable>(_: T.Type = T.self) throws -> T {
        guard let cell = cells.next() else { throw CanonicalError.internal("stored row has fewer columns than read") }
        return try cell.decode(T.self)
    }

    /// Times through `PGTime`, so they are the `Date`s the SQLite store answers.
    mutating func next(_: Date.Type = Date.self) throws -> Date { try next(PGTime.self).date }

    mutating func next(_: Date?.Type = Date?.self) throws -> Date? { try next(PGTime?.self)?.date }

    mutating func next<T: RawRepresentable>(_: T.Type = T.self) throws -> T where T.RawValue == String {
        let raw: String = try next()
        guard let value = T(rawValue: raw) else { throw CanonicalError.internal("stored row has a malformed value") }
        return value
    }
}

extension PGColumns: ImageColumns {
    mutating func text() throws -> String { try next(String.self) }
    mutating func integer() throws -> Int64 { try next(Int64.self) }
    mutating func optionalInteger() throws -> Int64? { try next(Int64?.self) }
    mutating func boolean() throws -> Bool { try next(Bool.self) }
    mutating func date() throws -> Date { try next(Date.self) }
}

extension PostgresConnection {
    /// Every row of `sql`, each read by `read`.
    func rows<T>(_ sql: PGSQL, logger: Logger, _ read: (inout PGColumns) throws -> T) async throws -> [T] {
        var out: [T] = []
        for try await row in try await query(sql.query, logger: logger) {
            var columns = PGColumns(row)
            out.append(try read(&columns))
        }
        return out
    }

    /// The first row of `sql`, if any.
    func row<T>(_ sql: PGSQL, logger: Logger, _ read: (inout PGColumns) throws -> T) async throws -> T? {
        try await rows(sql, logger: logger, read).first
    }

    /// Runs `sql` and answers how many rows it returned (`RETURNING 1` counts the changed ones).
    @discardableResult
    func run(_ sql: PGSQL, logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await query(sql.query, logger: logger) { count += 1 }
        return count
    }

    /// Whether `sql` finds a row.
    func exists(_ sql: PGSQL, logger: Logger) async throws -> Bool {
        try await row(sql, logger: logger) { _ in true } ?? false
    }
}
