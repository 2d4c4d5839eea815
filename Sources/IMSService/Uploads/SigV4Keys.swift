import Crypto
import Foundation

/// The parts of AWS Signature Version 4 an upload key is made of: the per-day first step of the
/// signing key, and the UTC time stamp whose first eight characters name the day. The service
/// mints keys with them; the S3 endpoint (`SigV4`, `SigV4Claim`) checks requests with the same.
package enum SigV4Keys {
    /// HMAC("AWS4" + secret, yyyymmdd): the first step of the signing key, for one day.
    package static func dateKey(secret: String, date: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(date.utf8), using: SymmetricKey(data: Array(("AWS4" + secret).utf8))))
    }

    /// `yyyymmddThhmmssZ`, in UTC.
    package static func timestamp(_ date: Date) -> String {
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 1970)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    package static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
