import Foundation
import GRDB
import GRDBSQLite
import IMSModel
import IMSService

/// Image rows read straight off the SQLite statement, column by column in `ImageSQL`'s order.
///
/// GRDB's `Row` builds a lowercased index of the statement's 42 column names for every query,
/// and its dates go through Foundation's `Calendar`. For a GET-by-id those two were most of the
/// store's time (a single-column read cost 6 µs, the image row 18 µs); the reads here skip both.
protocol ImageRowDecodable {
    init(columns: inout ColumnReader) throws
}

extension ImageRowDecodable {
    static func fetchOne(_ statement: Statement, arguments: StatementArguments) throws -> Self? {
        try ImageRowCursor<Self>(statement, arguments: arguments).next()
    }

    static func fetchAll(_ statement: Statement, arguments: StatementArguments) throws -> [Self] {
        try Array(ImageRowCursor<Self>(statement, arguments: arguments))
    }
}

/// A GRDB cursor whose elements are decoded by `ImageRowDecodable`.
final class ImageRowCursor<Element: ImageRowDecodable>: DatabaseCursor {
    let _statement: Statement
    var _isDone = false

    init(_ statement: Statement, arguments: StatementArguments) throws {
        _statement = statement
        try statement.setArguments(arguments)
    }

    deinit {
        // A cursor left before its end would keep the statement, and its read, open.
        sqlite3_reset(_statement.sqliteStatement)
    }

    func _element(sqliteStatement: SQLiteStatement) throws -> Element {
        var columns = ColumnReader(statement: sqliteStatement)
        return try Element(columns: &columns)
    }
}

/// One row's columns, read left to right. A NULL or malformed value where the schema has none
/// is an error, never a crash.
struct ColumnReader {
    let statement: SQLiteStatement
    private(set) var index: CInt = 0

    init(statement: SQLiteStatement) {
        self.statement = statement
    }

    mutating func next<T: DatabaseValueConvertible & StatementColumnConvertible>() throws -> T {
        guard let value: T = optional() else { throw malformed(index - 1) }
        return value
    }

    mutating func optional<T: DatabaseValueConvertible & StatementColumnConvertible>() -> T? {
        defer { index += 1 }
        return T.fromStatement(statement, atUncheckedIndex: index)
    }

    mutating func next<T: RawRepresentable>() throws -> T where T.RawValue == String {
        guard let value = T(rawValue: try next()) else { throw malformed(index - 1) }
        return value
    }

    /// A date as GRDB stores it (`YYYY-MM-DD HH:MM:SS.SSS`, UTC), parsed by arithmetic; any
    /// other form GRDB accepts goes through GRDB.
    mutating func next() throws -> Date {
        defer { index += 1 }
        if sqlite3_column_type(statement, index) == SQLITE_TEXT, let text = sqlite3_column_text(statement, index),
           let date = StoredDate.parse(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index)))) {
            return date
        }
        guard let date = Date.fromStatement(statement, atUncheckedIndex: index) else { throw malformed(index) }
        return date
    }

    private func malformed(_ column: CInt) -> CanonicalError {
        .internal("stored row has a missing or malformed value in column \(column)")
    }
}

/// GRDB's text form of a date, parsed without Foundation's calendar.
enum StoredDate {
    static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Date? {
        // "2026-11-23 17:44:46" or "2026-11-23 17:44:46.123"
        guard s.count == 19 || s.count == 23, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
              s[10] == UInt8(ascii: " ") || s[10] == UInt8(ascii: "T"), s[13] == UInt8(ascii: ":"),
              s[16] == UInt8(ascii: ":"), s.count == 19 || s[19] == UInt8(ascii: ".") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var n = 0
            for i in from..<(from + count) {
                let d = Int(s[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                n = n * 10 + d
            }
            return n
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61,
              let millis = s.count == 23 ? number(20, 3) : 0 else { return nil }
        let seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second
        return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + Double(millis) / 1_000)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension ColumnReader: ImageColumns {
    mutating func text() throws -> String { try next() }
    mutating func integer() throws -> Int64 { try next() }
    mutating func optionalInteger() throws -> Int64? { optional() }
    mutating func boolean() throws -> Bool { try next() }
    mutating func date() throws -> Date { try next() }
}
