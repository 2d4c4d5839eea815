import Foundation

extension Date {
    /// Now, to the whole millisecond: what every store keeps (PostgreSQL rounds a time to the
    /// millisecond, SQLite's text keeps three digits) and what the dialects show. A time minted
    /// finer would read one millisecond apart from the two stores after a migration.
    public static func wholeMilliseconds() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
